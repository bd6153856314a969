"""Finding a work report's 名词解释 appendix on a page and splitting it into entries.

Pure functions over the reflowed paragraphs (``leshan_reader.ingest.reflow.Paragraph`` or their
JSON form): the printed appendix marks each term in bold and ends it with a colon
(``**“553”企业:**指…``); OCR runs several entries together on one line and lets a definition
continue into the next paragraph (``乐易办``), so an entry is everything from its term up to the
next term. Plain ``term：`` forms (no bold) are accepted where the term has the shape of a term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from leshan_reader.glossary.aliases import aliases_for
from leshan_reader.text.normalize import fold

# 名词解释, 名词解释和说明, 附件：名词注释, 名词解释及说明 …
APPENDIX_HEADING = re.compile(
    r"^(?:附件?[一二三四五1-9]?[:：]?\s*)?名词(?:解释|注释|说明)(?:[和与及、](?:说明|注释|解释))?$"
)
COLONS = ":："
# A term is a short noun phrase: no sentence punctuation, no white space.
_TERM_SHAPE = re.compile(r"^[^，,。；;！!？?\s:：、]{2,40}$")
# A plain (not bold) term inside running text: after a sentence ends, followed by 指/即/是.
_PLAIN_RUN_IN = re.compile(r"(?<=[。；;！？])([^，,。；;！!？?\s:：、]{2,30})[:：](?=[指即是])")
_STORY_START = re.compile(r"^(?:本报讯|■|●|◆|新华社|记者\s)")


@dataclass
class GlossaryDraft:
    term: str  # as printed, quotes kept: “六稳”“六保”
    definition: str
    aliases: list[str] = field(default_factory=list)
    paragraph: int = 0  # index of the paragraph where the entry starts


def _fields(paragraph) -> tuple[str, str, list]:
    if isinstance(paragraph, dict):
        return paragraph["text"], paragraph.get("kind", "body"), paragraph.get("bold", [])
    return paragraph.text, paragraph.kind, paragraph.bold


def is_appendix_heading(text: str) -> bool:
    if len(text) > 40 or not ("名词" in text or "名詞" in text):  # the cheap test first: every
        return False  # paragraph of every imported page comes through here
    visible = re.sub(r"[\s*#]", "", fold(text))  # folded: 名詞解釋 on a traditional page
    return len(visible) <= 16 and bool(APPENDIX_HEADING.match(visible))


def find_appendix(paragraphs) -> int | None:
    """Index of the appendix heading paragraph, or None."""
    for index, paragraph in enumerate(paragraphs):
        text, _, _ = _fields(paragraph)
        if is_appendix_heading(text):
            return index
    return None


def _term_starts(text: str, bold: list) -> list[tuple[int, int, int]]:
    """(term start, term end, definition start) for every entry that starts in this paragraph."""
    starts = []
    for begin, end in bold:
        span = text[begin:end]
        if span.rstrip().endswith(tuple(COLONS)):
            term = span.rstrip()[:-1].strip()
            definition_start = end
        elif end < len(text) and text[end] in COLONS:
            term, definition_start = span.strip(), end + 1
        else:
            continue
        if _TERM_SHAPE.match(term):
            starts.append((begin, begin + len(span) - len(span.lstrip()) + len(term), definition_start))
    if not bold:
        head = re.match(r"^([^，,。；;！!？?\s:：、]{2,40})[:：]", text)
        if head:
            starts.append((0, head.end(1), head.end()))
        for match in _PLAIN_RUN_IN.finditer(text):
            starts.append((match.start(1), match.end(1), match.end()))
    return sorted(set(starts))


def _ends_appendix(text: str, kind: str, bold: list) -> bool:
    if kind not in ("body",):
        return True  # a heading, a display line (the advert's slogan) or the masthead
    if _STORY_START.match(fold(text)):
        return True
    # A paragraph printed entirely in bold without a term colon is a slogan or a new headline.
    return bool(bold) and sum(e - b for b, e in bold) >= len(text.strip()) - 1


def extract_entries(paragraphs) -> list[GlossaryDraft]:
    """The entries of the first 名词解释 appendix among ``paragraphs`` (empty if there is none)."""
    heading = find_appendix(paragraphs)
    if heading is None:
        return []
    entries: list[GlossaryDraft] = []
    for index in range(heading + 1, len(paragraphs)):
        text, kind, bold = _fields(paragraphs[index])
        starts = _term_starts(text, bold)
        if not starts:
            if not entries and index - heading <= 2 and kind == "body":
                continue  # an introductory sentence before the first entry
            if not entries or _ends_appendix(text, kind, bold):
                break
            # A definition that goes on into the next paragraph (乐易办).
            entries[-1].definition += "\n" + text.strip()
            continue
        if starts[0][0] > 0 and entries:
            entries[-1].definition += text[: starts[0][0]].strip()
        for number, (term_start, term_end, definition_start) in enumerate(starts):
            definition_end = starts[number + 1][0] if number + 1 < len(starts) else len(text)
            term = text[term_start:term_end].strip()
            entries.append(GlossaryDraft(
                term=term,
                definition=text[definition_start:definition_end].strip(),
                aliases=aliases_for(term),
                paragraph=index,
            ))
    return [entry for entry in entries if entry.definition]
