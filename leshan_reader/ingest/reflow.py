"""Reflow OCR'd newspaper text into reading paragraphs.

OCR of a newspaper page hard-wraps every column line, breaks paragraphs where a column ends
(sometimes with a blank line in mid-word: ``提供个性\\n\\n化工作服务``), runs bold run-in heads and
glossary entries together on one line, and marks emphasis with ``**``. This module turns that into
paragraphs a reader can read, without changing a character of the words themselves:

* lines of a hard-wrapped column are joined (no space between CJK characters, one between Latin
  words); a short line ending a sentence ends its paragraph;
* a paragraph cut by a column break is joined to its continuation in the next block;
* headlines, bylines, captions and other short lines stay lines of their own;
* ``# heading`` lines become headings, ``**bold**`` becomes an emphasis span;
* a bold run-in head after a finished sentence starts a new paragraph.

Everything here is a pure function of the page text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from leshan_reader.text import CONTINUATION_NOTE, PARAGRAPH_SEPARATOR

BODY = "body"  # running text
LINE = "line"  # a short line kept as printed: headline, byline, caption, advert line
HEADING = "heading"  # a line marked as a heading by the OCR (``# ...``)

# Sentence-final punctuation, optionally followed by closing quotes or brackets.
_SENTENCE_ENDERS = frozenset("。！？!?；;…")
_CLOSERS = "”’」』）)]】〕"
_SENTENCE_PUNCT = re.compile(r"[，。、；！？,;]")  # not colons: "总编辑：王大强" is a label
_CONTINUATION = CONTINUATION_NOTE
_STORY_OPENERS = ("本报讯", "■", "●", "◆", "▲", r"记者\s", "本报记者", "新华社", "据新华社", "通讯员")
_STORY_START = re.compile("^(" + "|".join(_STORY_OPENERS) + ")")
# The first characters of what starts a paragraph inside a column (``_starts_paragraph``): a
# line beginning with none of them is looked at no further.
_PARAGRAPH_OPENING_CHARS = frozenset(opener[0] for opener in _STORY_OPENERS) | {"—"}
_HEADING_MARK = re.compile(r"^(#{1,6})\s+")
_BOLD = "**"
_CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_SPACE_CHAR = "[ \t\u3000]"
# Runs of spaces between CJK characters, and between CJK and digits. Written to begin with a
# space, the character before it checked by a look-behind over both: the plain forms,
# ``(?<=[CJK])[ \t\u3000]+(?=[CJK])`` and ``(?<=[CJK])[ \t\u3000]+(?=[0-9])|(?<=[0-9])...``, begin
# with the look-behind, so the engine tried them at every character instead of skipping to the
# next space (a page's paragraphs: 0.43 -> 0.09 ms; a test checks both give the same result).
_SPACE_BETWEEN_CJK = re.compile(f"{_SPACE_CHAR}(?<=[{_CJK}]{_SPACE_CHAR}){_SPACE_CHAR}*(?=[{_CJK}])")
_SPACE_CJK_DIGIT = re.compile(f"{_SPACE_CHAR}(?:(?<=[{_CJK}]{_SPACE_CHAR}){_SPACE_CHAR}*(?=[0-9])"
                              f"|(?<=[0-9]{_SPACE_CHAR}){_SPACE_CHAR}*(?=[{_CJK}]))")
_SPACE_RUN = re.compile(r"[ \t\u3000]{2,}")
_SPACE = re.compile(r"[ \t\u3000]")
_NUMBERED_SECTION = re.compile(r"^[一二三四五六七八九十]+、")


@dataclass
class Paragraph:
    text: str
    kind: str = BODY
    level: int = 0  # heading level for HEADING
    bold: list[tuple[int, int]] = field(default_factory=list)  # emphasis spans in ``text``

    def layout_json(self) -> dict:
        """Everything but the text (stored once, in the page's reading text)."""
        data: dict = {"kind": self.kind}
        if self.level:
            data["level"] = self.level
        if self.bold:
            data["bold"] = [list(span) for span in self.bold]
        return data

    def to_json(self) -> dict:
        return {"text": self.text, **self.layout_json()}


def display_width(text: str) -> float:
    """Printed width in ems: CJK and full-width characters 1, ASCII 0.5."""
    ascii_count = len(text.encode("ascii", "ignore"))
    return len(text) - 0.5 * ascii_count


def _visible(text: str) -> str:
    return text.replace(_BOLD, "")


def ends_sentence(text: str) -> bool:
    # Only the end counts: the last 64 characters spare a pass through long paragraphs. Closing
    # quotes and brackets stripped, the last character must end a sentence (what the regular
    # expression ``[。！？!?；;…]+[”’」』）)\]】〕]*$`` asks, at a third of its cost: it ran on every
    # line of every page).
    visible = _visible(text[-64:]).rstrip()
    return visible.rstrip(_CLOSERS)[-1:] in _SENTENCE_ENDERS or visible.endswith("——")


def ends_with_continuation(text: str) -> bool:
    if "版" not in text[-8:]:  # cheap test first: this runs on every line of a page
        return False
    match = None
    for match in _CONTINUATION.finditer(text):
        pass
    return match is not None and not _visible(text[match.end():]).strip()


def has_sentence_punctuation(text: str) -> bool:
    return bool(_SENTENCE_PUNCT.search(text))


def _join_lines(left: str, right: str) -> str:
    """Join two wrapped lines: nothing between CJK, one space between Latin words."""
    if not left:
        return right
    if not right:
        return left
    if _space_between(left[-1], right[0]):
        return f"{left} {right}"
    return left + right


def _space_between(before: str, after: str) -> bool:
    """Whether two joined lines need a space between them: between Latin words and numbers."""
    return before.isascii() and after.isascii() and before.isalnum() and after.isalnum()


# --- blocks ---------------------------------------------------------------------------------

def split_blocks(text: str) -> list[list[str]]:
    """Lines grouped into blocks separated by blank lines; lines stripped."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            current.append(stripped)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


# Chinese typesetting compresses punctuation, so lines of one column differ by a few ems.
_COLUMN_SLACK = 3.0


@dataclass
class _Block:
    """A block's lines with what the column tests ask of each line, worked out once (they were
    recomputed for every test: a third of the reflow's time)."""

    lines: list[str]
    widths: list[float]
    punctuated: bool  # some line has sentence punctuation

    @classmethod
    def of(cls, lines: list[str]) -> "_Block":
        # The block's text searched once for markup and punctuation, not line by line.
        text = "\n".join(lines)
        visible = [_visible(line) for line in lines] if _BOLD in text else lines
        return cls(lines, [display_width(line) for line in visible], has_sentence_punctuation(text))


def _column_width(widths: list[float]) -> float:
    """The column width: the median width of all lines but the last."""
    ordered = sorted(widths[:-1]) or widths[-1:]
    return ordered[len(ordered) // 2]


def _is_wrapped_column(block: _Block) -> bool:
    """A block whose lines were cut at a fixed column width (the body text of a column)."""
    if len(block.lines) < 2 or not block.punctuated:
        return False
    column = _column_width(block.widths)
    widths = block.widths[:-1]
    full = sum(width >= column - _COLUMN_SLACK for width in widths)
    return full >= max(1, int(0.6 * len(widths)))


def page_column_width(blocks: list[_Block]) -> float:
    """The page's usual column width, from its longer wrapped blocks (0 when it has none).

    A two-line block cannot tell its own column width; the page's other columns can."""
    widths = sorted(
        width
        for block in blocks
        if len(block.lines) >= 3 and block.punctuated
        for width in block.widths[:-1]
    )
    return widths[len(widths) // 2] if widths else 0.0


def _wrapped_block_paragraphs(block: _Block, page_column: float) -> list[Paragraph]:
    column = max(_column_width(block.widths), page_column)
    paragraphs: list[Paragraph] = []

    def finish(text: str, last_width: float) -> Paragraph:
        paragraph = _classify(text)
        # A full-width line without punctuation is running text cut by the column's end.
        if paragraph.kind == LINE and not text.startswith("——") and last_width >= column - _COLUMN_SLACK:
            return Paragraph(text, BODY)
        return paragraph

    # This loop runs for every line of a page: the paragraph's lines are collected and joined
    # once (``_join_lines`` for each line copied the paragraph again), and the tests for a
    # paragraph's end are taken cheapest first (most lines of a column are full, so they are
    # no sentence's end and need no look at their text).
    short = column - _COLUMN_SLACK
    lines: list[str] = []  # of the paragraph being collected
    width = 0.0  # of its last line
    for line, line_width in zip(block.lines, block.widths):
        if lines and _starts_paragraph(line):
            paragraphs.append(finish(_joined(lines), width))
            lines = []
        lines.append(line)
        width = line_width
        if (width <= short and ends_sentence(line)) or ends_with_continuation(line):
            paragraphs.append(finish(_joined(lines), width))
            lines = []
    if lines:
        paragraphs.append(finish(_joined(lines), width))
    return paragraphs


def _joined(lines: list[str]) -> str:
    """``_join_lines`` over a paragraph's lines (none of them empty)."""
    if len(lines) == 1:
        return lines[0]
    pieces = [lines[0]]
    for line in lines[1:]:
        if _space_between(pieces[-1][-1], line[0]):
            pieces.append(" ")
        pieces.append(line)
    return "".join(pieces)


def _starts_paragraph(line: str) -> bool:
    """Lines that begin something new even inside a column: a deck, a byline, a dateline."""
    return line[:1] in _PARAGRAPH_OPENING_CHARS and (
        line.startswith("——") or bool(_STORY_START.match(line)))


def _classify(text: str) -> Paragraph:
    """Running text, or a short line kept as printed (a headline or deck inside a column block)."""
    visible = _visible(text)
    if visible.startswith("——") and display_width(visible) < 40:  # a deck under a headline
        return Paragraph(text, LINE)
    if has_sentence_punctuation(visible):
        return Paragraph(text, BODY)
    return Paragraph(text, LINE)


def _line_paragraph(line: str) -> Paragraph:
    heading = _HEADING_MARK.match(line)
    if heading:
        return Paragraph(line[heading.end():].strip(), HEADING, level=len(heading.group(1)))
    return _classify(line)


def block_paragraphs(block: _Block, page_column: float = 0.0) -> list[Paragraph]:
    if _is_wrapped_column(block):
        return _wrapped_block_paragraphs(block, page_column)
    return [_line_paragraph(line) for line in block.lines]


# --- joining across column breaks ---------------------------------------------------------------

def _continues(previous: Paragraph, following: Paragraph) -> bool:
    """Was ``previous`` cut by a column break and carried on in ``following``?"""
    if previous.kind != BODY or following.kind != BODY:
        return False
    if ends_sentence(previous.text) or ends_with_continuation(previous.text):
        return False
    head = following.text.lstrip()
    if head.startswith(_BOLD) or _STORY_START.match(head) or _CONTINUATION.match(head):
        return False
    return True


def _join_column_breaks(blocks: list[list[Paragraph]]) -> list[Paragraph]:
    paragraphs: list[Paragraph] = []
    for block in blocks:
        for index, paragraph in enumerate(block):
            if index == 0 and paragraphs and _continues(paragraphs[-1], paragraph):
                paragraphs[-1] = Paragraph(_join_lines(paragraphs[-1].text, paragraph.text), BODY)
            else:
                paragraphs.append(paragraph)
    return paragraphs


# --- run-in heads, emphasis and spacing ------------------------------------------------------

def _split_run_in_heads(paragraph: Paragraph) -> list[Paragraph]:
    """Start a new paragraph at a bold run-in head that follows a finished sentence.

    ``…新体制。**融入成渝地区双城经济圈建设。**共建…`` and glossary entries run together on one
    line (``…农村公路。**“两通”目标:**指…``) are the cases in the seed pages.
    """
    if paragraph.kind != BODY or _BOLD not in paragraph.text:
        return [paragraph]
    text = paragraph.text
    cuts = []
    position = 0
    opening = True
    while True:
        found = text.find(_BOLD, position)
        if found < 0:
            break
        if opening and found > 0:
            before = _visible(text[:found]).rstrip()
            closing = text.find(_BOLD, found + 2)
            head = text[found + 2:closing] if closing > 0 else ""
            if before and ends_sentence(before) and head and (
                head.rstrip()[-1:] in "。：:" or _NUMBERED_SECTION.match(head)
            ):
                cuts.append(found)
        opening = not opening
        position = found + 2
    if not cuts:
        return [paragraph]
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]
    return [Paragraph(piece.strip(), BODY) for piece in pieces if piece.strip()]


def _extract_bold(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Remove balanced ``**`` markers; return the plain text and the emphasis spans."""
    if text.count(_BOLD) < 2:
        return text, []
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start = None
    pieces = text.split(_BOLD)
    # An odd number of markers leaves the last one literal.
    pairs = len(pieces) - 1 - ((len(pieces) - 1) % 2)
    for index, piece in enumerate(pieces):
        if index > 0:
            if index <= pairs:
                if start is None:
                    start = length
                else:
                    if length > start:
                        spans.append((start, length))
                    start = None
            else:
                out.append(_BOLD)
                length += 2
        out.append(piece)
        length += len(piece)
    return "".join(out), spans


# A printed gap after a role word (``本报讯（记者 张清）``) belongs to the byline: keep it.
_ROLE_WORDS = ("记者", "通讯员", "实习生", "摄影", "摄", "编辑", "文/图", "见习记者")


def _drop_space_unless_after_title(match: re.Match[str]) -> str:
    before = match.string[max(0, match.start() - 4):match.start()]
    return " " if before.endswith(_ROLE_WORDS) else ""


def _tidy_spaces(paragraph: Paragraph) -> Paragraph:
    text = paragraph.text
    if not _SPACE.search(text):  # most paragraphs: three substitutions saved
        return paragraph
    if paragraph.kind == BODY:
        # Justified columns spread characters apart (``度 测 评 在 全 省``); CJK takes no spaces.
        text = _SPACE_BETWEEN_CJK.sub(_drop_space_unless_after_title, text)
        text = _SPACE_CJK_DIGIT.sub("", text)
    text = _SPACE_RUN.sub(" ", text).strip()
    return Paragraph(text, paragraph.kind, paragraph.level, paragraph.bold)


def _finish(paragraph: Paragraph) -> Paragraph:
    paragraph = _tidy_spaces(paragraph)
    plain, spans = _extract_bold(paragraph.text)
    return Paragraph(plain, paragraph.kind, paragraph.level, spans)


def reflow(text: str) -> list[Paragraph]:
    """Reading paragraphs for a page of OCR text (already decoded, ``\\n`` line ends)."""
    line_blocks = [_Block.of(lines) for lines in split_blocks(text)]
    page_column = page_column_width(line_blocks)
    blocks = [block_paragraphs(block, page_column) for block in line_blocks]
    joined = _join_column_breaks(blocks)
    result: list[Paragraph] = []
    for paragraph in joined:
        for piece in _split_run_in_heads(paragraph):
            finished = _finish(piece)
            if finished.text:
                result.append(finished)
    return result


def paragraphs_text(paragraphs: list[Paragraph]) -> str:
    """The reading text: paragraphs separated by a blank line (no paragraph contains one)."""
    return PARAGRAPH_SEPARATOR.join(p.text for p in paragraphs)



def continuation_links(text: str) -> list[dict]:
    """Continuation notes in ``text``: ``{"direction": "to"|"from", "page": n, "start", "end"}``."""
    numerals = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
    links = []
    for match in _CONTINUATION.finditer(text):
        raw_page = match.group("page")
        if raw_page.isdigit():
            page = int(raw_page)
        elif len(raw_page) == 1:
            page = numerals[raw_page]
        else:  # 十一, 十二
            page = 10 + numerals.get(raw_page[1], 0)
        direction = "from" if match.group("verb") in ("紧接", "上接", "接") else "to"
        links.append({"direction": direction, "page": page, "start": match.start(), "end": match.end()})
    return links
