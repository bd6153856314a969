"""A page divided into articles: headline (kicker, deck), byline, body, kind.

OCR gives a page as a run of paragraphs in which headlines may come before their story (the 2021
layout) or after it (the 2022 layout, where a lede can even follow the headline while the rest of
the story came before it). The split is decided from evidence, not position alone:

* a headline shares words with the beginning of its own story (``市政府召开第20次常务会议`` and
  ``主持召开市政府第20次常务会议``), measured as the share of the headline's character pairs found
  in the first few hundred characters of the candidate story;
* stories start with ``本报讯``, a byline or a dateline; a byline follows its headline;
* a single short line between two parts of one story, resembling neither, is a subhead;
* lines credited ``摄`` / ``供图`` are photo captions; phone numbers, web addresses and ``广告`` mark
  adverts and notices.

Where the evidence is weak, text is kept in an untitled block ("more on this page") rather than
attached to the wrong headline. Everything here is a pure function of the paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from leshan_reader.ingest.masthead import Masthead
from leshan_reader.ingest.reflow import BODY, HEADING, Paragraph, continuation_links
from leshan_reader.text import PARAGRAPH_SEPARATOR

MASTHEAD, STORY, CAPTION, ADVERT, NOTICE, OTHER = "masthead", "story", "caption", "advert", "notice", "other"

# Paragraph roles.
TITLE, DECK, BYLINE, CREDIT, MARKER, TEXT, SUBHEAD = (
    "title", "deck", "byline", "credit", "marker", "text", "subhead",
)

_BYLINE = re.compile(
    r"^(?:[■●◆▲]\s*)?(?:(?:本报|见习)?记者|通讯员|实习生)\s*[\u4e00-\u9fff·]{2,4}"
    r"(?:\s+[\u4e00-\u9fff·]{2,4})*(?:\s*文/图|\s*摄影?)?$"
    r"|^[■●◆▲]\s*[\u4e00-\u9fff·]{2,6}$"
)
_CREDIT = re.compile(r"(?:^|\s)\S{2,6}\s*摄$|供图$|摄影$|^本版图片")
_MARKER_ONLY = re.compile(r"^[（(]\s*(?:下转|紧转|转|紧接|上接|接)\s*第?\s*\S{1,3}\s*版\s*[）)]$")
_STORY_OPENER = re.compile(r"^(?:本报讯|新华社|据新华社|本报[\u4e00-\u9fff]{2,4}讯|[（(]?记者)")
_DATELINE_BYLINE = re.compile(r"^本报讯\s*[（(]\s*((?:记者|通讯员)[^）)]{1,30})[）)]")
_KICKER_END = re.compile(r"(强调|指出|要求|表示|讲话|时说|会上|出席|致辞|寄语)$")
_ADVERT = re.compile(r"广告|服务热线|www\.|\.com|年利率|\d{3,4}-\d{7,8}|\d{5,}\s*服务")
_NOTICE = re.compile(r"电话|邮箱|信箱|时间[：:]")

# How much of a story's beginning a headline is compared with, and how alike they must be.
_STORY_HEAD_CHARS = 400
_SIMILAR = 0.34
_CLEARLY_SIMILAR = 0.5


def _pairs(text: str) -> set[str]:
    chars = [c for c in text if c.isalnum()]
    return {a + b for a, b in zip(chars, chars[1:])}


def similarity(headline: str, story_head: str) -> float:
    """Share of the headline's character pairs that occur in the story's beginning."""
    pairs = _pairs(headline)
    if not pairs:
        return 0.0
    text_pairs = _pairs(story_head[:_STORY_HEAD_CHARS])
    return len(pairs & text_pairs) / len(pairs)


def paragraph_role(paragraph: Paragraph) -> str:
    text = paragraph.text.strip()
    if paragraph.kind == BODY:
        return MARKER if _MARKER_ONLY.match(text) else TEXT
    if paragraph.kind == HEADING:
        return TITLE if paragraph.level <= 1 else SUBHEAD
    if _MARKER_ONLY.match(text):
        return MARKER
    if _BYLINE.match(text):
        return BYLINE
    if _CREDIT.search(text):
        return CREDIT
    if text.startswith("——"):
        return DECK
    return TITLE


def is_story_opener(paragraph: Paragraph) -> bool:
    return paragraph.kind == BODY and bool(_STORY_OPENER.match(paragraph.text.lstrip()))


@dataclass
class ArticleDraft:
    kind: str
    paragraph_start: int
    paragraph_end: int  # exclusive
    text: str
    title: str = ""
    kicker: str = ""
    deck: str = ""
    byline: str = ""
    continues_to: int | None = None
    continued_from: int | None = None
    paragraphs: list[int] = field(default_factory=list)  # indexes of the body paragraphs


# --- segmentation ---------------------------------------------------------------------------

def _title_groups(roles: list[str], start: int) -> list[tuple[int, int]]:
    """Runs of TITLE lines (with DECK lines after them) as (first, end) paragraph indexes."""
    groups = []
    index = start
    while index < len(roles):
        if roles[index] == TITLE:
            end = index
            while end < len(roles) and roles[end] in (TITLE, DECK):
                end += 1
            groups.append((index, end))
            index = end
        else:
            index += 1
    return groups


def _text_after(paragraphs, roles, index: int) -> str:
    """The story text that follows ``index`` (skipping bylines and decks), up to the next title."""
    out = []
    for position in range(index, len(paragraphs)):
        if roles[position] == TITLE and out:
            break
        if roles[position] in (TEXT, SUBHEAD):
            out.append(paragraphs[position].text)
            if sum(map(len, out)) > _STORY_HEAD_CHARS:
                break
    return "".join(out)


def _story_start_before(paragraphs, roles, cuts: set[int], index: int, floor: int) -> int:
    """Where the story that ends just before ``index`` begins (its opener, or the last cut)."""
    position = index - 1
    while position > floor:
        if position in cuts or is_story_opener(paragraphs[position]) or roles[position] == BYLINE:
            return position
        if roles[position] == TITLE:
            return position + 1
        position -= 1
    return floor


def _text_from(paragraphs, roles, start: int, end: int) -> str:
    return "".join(paragraphs[i].text for i in range(start, end) if roles[i] in (TEXT, SUBHEAD))


def _attach_forward(paragraphs, roles, cuts, group, floor) -> bool | None:
    """True: the headline group belongs to the story after it; False: before it; None: neither."""
    first, end = group
    headline = "".join(paragraphs[i].text for i in range(first, end) if roles[i] == TITLE)
    story_start = _story_start_before(paragraphs, roles, cuts, first, floor)
    before = _text_from(paragraphs, roles, story_start, first)
    after = _text_after(paragraphs, roles, end)
    s_before, s_after = similarity(headline, before), similarity(headline, after)
    byline_follows = end < len(roles) and roles[end] == BYLINE
    if not after.strip():
        return False if before.strip() else None
    if not before.strip():
        return True
    if s_after >= _SIMILAR and s_after >= s_before:
        return True
    if s_before >= _SIMILAR and s_before > s_after:
        return False
    if byline_follows or (end < len(paragraphs) and is_story_opener(paragraphs[end])):
        return True
    return None


def _is_subhead(paragraphs, roles, group, floor, cuts) -> bool:
    first, end = group
    if end - first != 1 or first == floor:
        return False
    if roles[first - 1] != TEXT or end >= len(roles) or roles[end] != TEXT:
        return False
    if is_story_opener(paragraphs[end]):
        return False
    line = paragraphs[first].text
    story_start = _story_start_before(paragraphs, roles, cuts, first, floor)
    before = _text_from(paragraphs, roles, story_start, first)
    return max(similarity(line, before), similarity(line, _text_after(paragraphs, roles, end))) < _SIMILAR


def segment(paragraphs: list[Paragraph], start: int = 0) -> list[tuple[int, int]]:
    """Article spans (start, end) over ``paragraphs[start:]``."""
    roles = [paragraph_role(p) for p in paragraphs]
    cuts: set[int] = {start}
    groups = _title_groups(roles, start)
    for group in groups:
        if _is_subhead(paragraphs, roles, group, start, cuts):
            roles[group[0]] = SUBHEAD
    for group in _title_groups(roles, start):
        first, end = group
        direction = _attach_forward(paragraphs, roles, cuts, group, start)
        if direction is True:
            cuts.add(first)
        elif direction is False:
            cuts.add(end)
        else:
            cuts.update((first, end))
    # A story opener or a byline starts a new article unless its article has no text yet.
    for index in range(start, len(paragraphs)):
        if is_story_opener(paragraphs[index]) or roles[index] == BYLINE:
            last = max(c for c in cuts if c <= index)
            if any(roles[i] in (TEXT, SUBHEAD) for i in range(last, index)):
                cuts.add(index)
    # A continuation note closes its story.
    for index in range(start, len(paragraphs)):
        if roles[index] == MARKER and index + 1 < len(paragraphs):
            cuts.add(index + 1)
    ordered = sorted(c for c in cuts if c < len(paragraphs))
    return [(a, b) for a, b in zip(ordered, [*ordered[1:], len(paragraphs)]) if a < b], roles


# --- building articles -------------------------------------------------------------------------

def _join_title(lines: list[str]) -> str:
    return " ".join(line.strip() for line in lines if line.strip())


def _kind(roles: list[str], paragraphs: list[Paragraph], span: range, body_chars: int, title: str) -> str:
    texts = [paragraphs[i].text for i in span]
    if any(_ADVERT.search(t) for t in texts) and body_chars < 200:
        return ADVERT
    if CREDIT in (roles[i] for i in span) and body_chars < 60:
        return CAPTION
    if body_chars < 120 and any(_NOTICE.search(t) for t in texts):
        return NOTICE
    if body_chars >= 60 and title:
        return STORY
    return OTHER


def _article(paragraphs: list[Paragraph], roles: list[str], first: int, end: int) -> ArticleDraft:
    span = range(first, end)
    title_lines = [paragraphs[i].text for i in span if roles[i] == TITLE]
    kicker_lines: list[str] = []
    for position, line in enumerate(title_lines[:-1]):
        if _KICKER_END.search(line):
            kicker_lines = title_lines[: position + 1]
            title_lines = title_lines[position + 1:]
            break
    decks = [paragraphs[i].text.lstrip("—").strip() for i in span if roles[i] == DECK]
    bylines = [paragraphs[i].text.lstrip("■●◆▲ ").strip() for i in span if roles[i] == BYLINE]
    body = [i for i in span if roles[i] in (TEXT, SUBHEAD, MARKER, CREDIT)]
    if not title_lines and not kicker_lines and not body:
        body = list(span)  # a lone line (a caption, a slogan): keep it as the article's text
    text = PARAGRAPH_SEPARATOR.join(paragraphs[i].text for i in body)
    if not bylines:
        first_text = next((paragraphs[i].text for i in body if roles[i] == TEXT), "")
        match = _DATELINE_BYLINE.match(first_text)
        if match:
            bylines = [match.group(1).strip()]
    body_chars = sum(len(paragraphs[i].text) for i in body if roles[i] in (TEXT, SUBHEAD))
    title = _join_title(title_lines)
    draft = ArticleDraft(
        kind=_kind(roles, paragraphs, span, body_chars, title),
        paragraph_start=first,
        paragraph_end=end,
        text=text,
        title=title,
        kicker=_join_title(kicker_lines),
        deck=" ".join(decks),
        byline=" ".join(bylines),
        paragraphs=body,
    )
    for link in continuation_links(text):
        if link["direction"] == "to" and draft.continues_to is None:
            draft.continues_to = link["page"]
        elif link["direction"] == "from" and draft.continued_from is None:
            draft.continued_from = link["page"]
    return draft


def split_articles(paragraphs: list[Paragraph], masthead: Masthead | None) -> list[ArticleDraft]:
    articles = []
    start = 0
    if masthead is not None:
        count = masthead.paragraph_count
        articles.append(ArticleDraft(
            MASTHEAD, 0, count, PARAGRAPH_SEPARATOR.join(p.text for p in paragraphs[:count]),
            paragraphs=list(range(count)),
        ))
        start = count
    if start >= len(paragraphs):
        return articles
    spans, roles = segment(paragraphs, start)
    articles += [_article(paragraphs, roles, a, b) for a, b in spans]
    return articles
