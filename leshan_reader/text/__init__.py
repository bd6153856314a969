"""Pure text helpers shared by every layer."""

import re

# Paragraphs of a page's reading text are separated by one blank line; no paragraph contains one.
PARAGRAPH_SEPARATOR = "\n\n"

# A continuation note, (下转第3版) or （紧接第2版）: found by the importer, linked by the reader.
CONTINUATION_NOTE = re.compile(
    r"[（(]\s*(?P<verb>下转|紧转|转|紧接|上接|接)\s*第?\s*(?P<page>\d{1,2}|[一二三四五六七八九十]{1,2})\s*版\s*[）)]"
)
