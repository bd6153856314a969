"""Pure text helpers shared by every layer."""

# Paragraphs of a page's reading text are separated by one blank line; no paragraph contains one.
PARAGRAPH_SEPARATOR = "\n\n"
