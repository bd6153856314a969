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

import functools
import re
from dataclasses import dataclass, field

from leshan_reader.ingest.masthead import Masthead
from leshan_reader.ingest.reflow import (
    BODY,
    HEADING,
    Paragraph,
    continuation_links,
    ends_with_continuation,
)
from leshan_reader.text import PARAGRAPH_SEPARATOR

MASTHEAD, STORY, CAPTION, ADVERT, NOTICE, OTHER = "masthead", "story", "caption", "advert", "notice", "other"

# Paragraph roles.
TITLE, DECK, BYLINE, CREDIT, MARKER, TEXT, SUBHEAD = (
    "title", "deck", "byline", "credit", "marker", "text", "subhead",
)
AD_LINE, NOTICE_LINE, CAPTION_LINE = "advert line", "notice line", "caption line"
_BOXED = (AD_LINE, NOTICE_LINE, CAPTION_LINE, CREDIT)

_BYLINE = re.compile(
    r"^(?:[■●◆▲]\s*)?(?:(?:本报|见习)?记者|通讯员|实习生)\s*[\u4e00-\u9fff·]{2,4}"
    r"(?:\s+[\u4e00-\u9fff·]{2,4})*(?:\s*文/图|\s*摄影?)?$"
    r"|^[■●◆▲]\s*[\u4e00-\u9fff·]{2,6}$"
)
_CREDIT = re.compile(r"(?:^|\s)\S{2,6}\s*摄$|供图$|摄影$|^本版图片")
_MARKER_ONLY = re.compile(r"^[（(]\s*(?:下转|紧转|转|紧接|上接|接)\s*第?\s*\S{1,3}\s*版\s*[）)]$")
_STORY_OPENER = re.compile(r"^(?:本报讯|新华社|据新华社|本报[\u4e00-\u9fff]{2,4}讯|[（(]记者)")
_DATELINE_BYLINE = re.compile(r"^本报讯\s*[（(]\s*((?:记者|通讯员)[^）)]{1,30})[）)]")
_KICKER_END = re.compile(r"(强调|指出|要求|表示|讲话|时说|会上|出席|致辞|寄语)$")
_ADVERT = re.compile(r"广告|服务热线|www\.|\.com\b|年利率|\d{5,}\s*服务")
_NOTICE = re.compile(r"电话\s*[：:和]|邮箱|信箱|时间[：:]|\d{3,4}-\d{7,8}")
_SHORT = 30  # characters: lines of an advert or a caption are shorter than this

# How much of a story a headline is compared with, and how alike they must be.
_STORY_CHARS = 3000
_SIMILAR = 0.34


def _pairs(text: str) -> set[str]:
    chars = _letters_and_digits(text)
    return {a + b for a, b in zip(chars, chars[1:])}


# ``[^\W_]`` is exactly ``str.isalnum`` (a test checks every code point); its runs, found and
# joined, are a third faster than filtering character by character, and a quarter faster than
# removing the runs between them (``[\W_]+``).
_LETTERS_OR_DIGITS = re.compile(r"[^\W_]+")


@functools.lru_cache(maxsize=512)
def _letters_and_digits(text: str) -> str:
    # Cached: a page's stories are compared with each of its candidate headlines in turn.
    return "".join(_LETTERS_OR_DIGITS.findall(text))


def similarity(headline: str, story: str) -> float:
    """Share of the headline's character pairs that occur in the story."""
    pairs = _pairs(headline)
    if not pairs:
        return 0.0
    story_chars = _letters_and_digits(story[:_STORY_CHARS])
    return sum(pair in story_chars for pair in pairs) / len(pairs)


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
    if _ADVERT.search(text):
        return AD_LINE
    if _NOTICE.search(text):
        return NOTICE_LINE
    if sum(c.isdigit() for c in text) >= 0.25 * len(text):  # a line of figures: data, not a headline
        return TEXT
    return TITLE


def paragraph_roles(paragraphs: list[Paragraph]) -> list[str]:
    roles = [paragraph_role(p) for p in paragraphs]
    for index in range(len(roles) - 1):
        # ``附件`` above ``## 名词解释和说明``: a short label line and the heading it labels.
        if roles[index] == TITLE and len(paragraphs[index].text) <= 3 and paragraphs[index + 1].kind == HEADING:
            roles[index + 1] = TITLE
    return roles


def _is_short(paragraph: Paragraph) -> bool:
    return len(paragraph.text) < _SHORT and not is_story_opener(paragraph)


def mark_boxes(paragraphs: list[Paragraph], roles: list[str], start: int) -> list[tuple[int, int]]:
    """Adverts, notices and photo captions as (first, end) spans; their lines get box roles.

    An advert is its lines with a telephone number, web address or 广告, the short lines between
    them, and the short lines just above the first (an advert's slogan heads it). A caption is the
    one to three short lines above a photo credit."""
    boxes = []
    index = start
    while index < len(paragraphs):
        role = roles[index]
        if role in (AD_LINE, NOTICE_LINE):
            end = index + 1
            while end < len(paragraphs):
                if roles[end] == role:
                    end += 1
                    continue
                ahead = end
                while ahead < len(paragraphs) and _is_short(paragraphs[ahead]) and roles[ahead] != role \
                        and roles[ahead] not in (BYLINE, MARKER) and ahead - end < 3:
                    ahead += 1
                if ahead < len(paragraphs) and roles[ahead] == role:
                    end = ahead + 1
                else:
                    break
            first = index
            if role == AD_LINE:
                while first > start and _is_short(paragraphs[first - 1]) and roles[first - 1] in (TITLE, TEXT):
                    first -= 1
            for position in range(first, end):
                roles[position] = role
            boxes.append((first, end))
            index = end
        elif role == CREDIT:
            first = index
            while first > start and index - first < 3 and roles[first - 1] == TITLE:
                first -= 1
            for position in range(first, index):
                roles[position] = CAPTION_LINE
            end = index + 1
            # A lone short line right after a photo's credit, with a section heading after it,
            # is the caption of the next photo (no story starts with a heading).
            if end + 1 < len(paragraphs) and roles[end] == TITLE \
                    and len(paragraphs[end].text.strip()) <= _CAPTION_LINE_CHARS \
                    and roles[end + 1] == SUBHEAD:
                roles[end] = CAPTION_LINE
                end += 1
            boxes.append((first, end))
            index = end
        else:
            index += 1
    return boxes


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

def _title_groups(roles: list[str], start: int, stop: int | None = None) -> list[tuple[int, int]]:
    """Runs of TITLE lines (with DECK lines after them) as (first, end) paragraph indexes, the
    runs that begin before ``stop`` (the page's end by default)."""
    groups = []
    index = start
    stop = len(roles) if stop is None else stop
    while index < stop:
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
    """The story text that follows ``index`` (skipping bylines and decks), up to the next title,
    box or story opener."""
    out = []
    for position in range(index, len(paragraphs)):
        if out and (roles[position] in (TITLE, MARKER, *_BOXED) or is_story_opener(paragraphs[position])):
            break
        if roles[position] in (TEXT, SUBHEAD):
            out.append(paragraphs[position].text)
            if sum(map(len, out)) > _STORY_CHARS:
                break
    return "".join(out)


def _story_start_before(paragraphs, roles, cuts: set[int], index: int, floor: int) -> int:
    """Where the story that ends just before ``index`` begins (its opener, or the last cut)."""
    position = index - 1
    while position > floor:
        if position in cuts or is_story_opener(paragraphs[position]) or roles[position] == BYLINE:
            return position
        if roles[position] in (TITLE, MARKER, *_BOXED):
            return position + 1
        position -= 1
    return floor


def _text_from(paragraphs, roles, start: int, end: int) -> str:
    return "".join(paragraphs[i].text for i in range(start, end) if roles[i] in (TEXT, SUBHEAD))


def _attach_forward(paragraphs, roles, cuts, group, floor) -> bool | None:
    """True: the headline group belongs to the story after it; False: before it; None: neither."""
    first, end = group
    headline = _headline(paragraphs, roles, first, end)
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


# A headline printed after its story repeats much of it; a subhead inside a story does not.
_HEADLINE_OF_STORY_BEFORE = 0.6


def _byline_run(roles: list[str], index: int) -> range:
    end = index
    while end < len(roles) and roles[end] in (BYLINE, DECK):
        end += 1
    return range(index, end)


def _headline(paragraphs, roles, first: int, end: int) -> str:
    """The words of a headline group (title lines and deck) for comparing with stories."""
    return "".join(paragraphs[i].text for i in range(first, end) if roles[i] in (TITLE, DECK))


def _split_between_stories(paragraphs, roles, cuts, group, floor) -> int | None:
    """Where a run of headline lines changes from the story before's headline (printed after it)
    to the story after's (printed before it), if it does: ``…会议召开 / 家门口上岗就业…``."""
    first, end = group
    titles = [i for i in range(first, end) if roles[i] == TITLE]
    if len(titles) < 2:
        return None
    before = _text_from(paragraphs, roles, _story_start_before(paragraphs, roles, cuts, first, floor), first)
    after = _text_after(paragraphs, roles, end)
    if not before.strip() or not after.strip():
        return None
    best, best_score = None, 0.0
    for k in range(1, len(titles)):
        back = "".join(paragraphs[i].text for i in titles[:k])
        forward = "".join(paragraphs[i].text for i in titles[k:])
        s_back, s_forward = similarity(back, before), similarity(forward, after)
        forward_about_before = similarity(forward, before)
        # The first lines close the story before; the rest are plainly not about it.
        if s_back >= _SIMILAR and forward_about_before < _LEDE_SIMILAR and s_forward >= forward_about_before \
                and len(forward) >= 4:
            score = s_back + s_forward - forward_about_before - similarity(back, after)
            if score > best_score:
                best, best_score = titles[k], score
    return best


# A lede printed after the headline shares some words with it; the next story does not.
_LEDE_SIMILAR = 0.2


def _lede_follows(paragraphs, roles, group) -> bool:
    """After a headline that closes its story, is the text that follows (up to the next story) the
    same story's lede? (The 2022 layout: story, headline, deck, byline, lede.)"""
    first, end = group
    position = end
    while position < len(roles) and roles[position] in (BYLINE, DECK):
        position += 1
    if position >= len(roles) or roles[position] != TEXT or is_story_opener(paragraphs[position]):
        return False
    after = _text_after(paragraphs, roles, position)
    return similarity(_headline(paragraphs, roles, first, end), after) >= _LEDE_SIMILAR


_CAPTION_LINE_CHARS = 12
_BYLINE_PAIRS_HEADLINE = 0.2


def _is_caption_run(paragraphs, roles, group, floor, cuts) -> bool:
    """Four or more short lines in a row are the captions of a photo spread: a headline, even
    with kicker and subtitle, is never that many short lines."""
    first, end = group
    titles = [i for i in range(first, end) if roles[i] == TITLE]
    return len(titles) >= 4 and all(len(paragraphs[i].text) <= _CAPTION_LINE_CHARS for i in titles)


def _is_subhead(paragraphs, roles, group, floor, cuts) -> bool:
    """A single line between two parts of one story (no story starts after it)."""
    first, end = group
    if end - first != 1 or first == floor:
        return False
    if end >= len(roles) or roles[end] != TEXT or is_story_opener(paragraphs[end]):
        return False
    if roles[first - 1] == BYLINE:
        # A byline is printed under its story's headline: a lone line between the byline and
        # the body is the story's first subhead, not another story's headline.
        return True
    if roles[first - 1] != TEXT:
        return False
    if ends_with_continuation(paragraphs[first - 1].text):
        return False
    story_start = _story_start_before(paragraphs, roles, cuts, first, floor)
    before = _text_from(paragraphs, roles, story_start, first)
    return similarity(paragraphs[first].text, before) < _HEADLINE_OF_STORY_BEFORE


def segment(paragraphs: list[Paragraph], start: int = 0) -> list[tuple[int, int]]:
    """Article spans (start, end) over ``paragraphs[start:]``."""
    roles = paragraph_roles(paragraphs)
    cuts: set[int] = {start}
    for first, end in mark_boxes(paragraphs, roles, start):
        cuts.update((first, end))
    groups = _title_groups(roles, start)
    for group in groups:
        if _is_subhead(paragraphs, roles, group, start, cuts):
            roles[group[0]] = SUBHEAD
        elif _is_caption_run(paragraphs, roles, group, start, cuts):
            for position in range(*group):
                roles[position] = CAPTION_LINE
    keep_together: set[int] = set()
    for group in _title_groups(roles, start):
        first, end = group
        split = _split_between_stories(paragraphs, roles, cuts, group, start)
        if split is not None:
            cuts.add(split)
            continue
        direction = _attach_forward(paragraphs, roles, cuts, group, start)
        if direction is True:
            while first > start and roles[first - 1] == BYLINE:  # a byline printed above it
                first -= 1
            cuts.add(first)
        elif direction is False:
            if _lede_follows(paragraphs, roles, group):
                keep_together.update(_byline_run(roles, end))
            else:
                cuts.add(end)
        else:
            cuts.update((first, end))
    # A story opener or a byline starts a new article unless its article has no text yet, or
    # the byline is the one under a headline printed after its story (then the lede follows).
    for index in range(start, len(paragraphs)):
        if index in keep_together:
            continue
        if is_story_opener(paragraphs[index]) or roles[index] == BYLINE:
            last = max(c for c in cuts if c <= index)
            if any(roles[i] in (TEXT, SUBHEAD) for i in range(last, index)):
                cuts.add(index)
    # A continuation note closes its story.
    for index in range(start, len(paragraphs)):
        if roles[index] == MARKER and index + 1 < len(paragraphs):
            cuts.add(index + 1)
    ordered = sorted(c for c in cuts if c < len(paragraphs))
    spans = [(a, b) for a, b in zip(ordered, [*ordered[1:], len(paragraphs)]) if a < b]
    for first, end in spans:
        _keep_one_title(paragraphs, roles, first, end)
    return spans, roles


def _keep_one_title(paragraphs, roles, first: int, end: int) -> None:
    """An article has one headline: of several title groups in it, the one most like its text
    stays; the others are subheads or captions inside the story."""
    groups = _title_groups(roles, first, end)
    if len(groups) < 2:
        return
    text = _text_from(paragraphs, roles, first, end)

    def score(group):
        headline = _headline(paragraphs, roles, *group)
        # A headline with a deck or a byline under it is the story's main headline, the others
        # are section heads (provided it is about the story at all).
        rich = any(roles[i] == DECK for i in range(*group)) or (group[1] < end and roles[group[1]] == BYLINE)
        alike = similarity(headline, text)
        return (rich and alike >= _SIMILAR, alike)

    best = max(groups, key=score)
    for group in groups:
        if group != best:
            for position in range(*group):
                roles[position] = SUBHEAD


# --- building articles -------------------------------------------------------------------------

def _join_title(lines: list[str]) -> str:
    return " ".join(line.strip() for line in lines if line.strip())


def _kind(roles: list[str], span: range, body_chars: int, title: str) -> str:
    span_roles = {roles[i] for i in span}
    if AD_LINE in span_roles:
        return ADVERT
    if NOTICE_LINE in span_roles:
        return NOTICE
    if CREDIT in span_roles and body_chars < 60:
        return CAPTION
    if body_chars >= 60 and title:
        return STORY
    return OTHER


def _article(paragraphs: list[Paragraph], roles: list[str], first: int, end: int) -> ArticleDraft:
    span = range(first, end)
    title_lines = [paragraphs[i].text for i in span if roles[i] == TITLE]
    kicker_lines: list[str] = []
    if len(title_lines) > 1 and len(title_lines[0]) <= 3:  # a label such as 附件 above the title
        kicker_lines, title_lines = title_lines[:1], title_lines[1:]
    for position, line in enumerate(title_lines[:-1]):
        if _KICKER_END.search(line):
            kicker_lines = title_lines[: position + 1]
            title_lines = title_lines[position + 1:]
            break
    decks = [paragraphs[i].text.lstrip("—").strip() for i in span if roles[i] == DECK]
    bylines = [paragraphs[i].text.lstrip("■●◆▲ ").strip() for i in span if roles[i] == BYLINE]
    body = [i for i in span if roles[i] in (TEXT, SUBHEAD, MARKER, *_BOXED)]
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
        kind=_kind(roles, span, body_chars, title),
        paragraph_start=first,
        paragraph_end=end,
        text=text,
        title=title,
        kicker="".join(line.strip() for line in kicker_lines),  # one sentence, wrapped
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


_CONTINUES_HEADLINE = 0.33


def _merge_split_stories(paragraphs, roles, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Rejoin a story that the 2022 layout prints as: story text, headline, deck/byline, lede.

    A headline left with no text takes the untitled text after it (its lede); a headline with a
    deck or byline whose lede has no story opener takes the text before it when that text has no
    opener, no byline and at most a one-line heading, and is plainly about the headline."""
    def has_opener(first, end):
        return any(is_story_opener(paragraphs[i]) for i in range(first, end))

    def title_lines(first, end):
        return [i for i in range(first, end) if roles[i] == TITLE]

    def text_chars(first, end):
        return sum(len(paragraphs[i].text) for i in range(first, end) if roles[i] in (TEXT, SUBHEAD))

    merged = list(spans)
    index = 0
    while index < len(merged) - 1:  # a headline without text takes the untitled text after it
        (a, b), (c, d) = merged[index], merged[index + 1]
        if title_lines(a, b) and not text_chars(a, b) and not title_lines(c, d) and not has_opener(c, d) \
                and not any(roles[i] in (AD_LINE, NOTICE_LINE, CREDIT) for i in range(c, d)):
            merged[index:index + 2] = [(a, d)]
        else:
            index += 1
    index = 1
    while index < len(merged):
        (a, b), (c, d) = merged[index - 1], merged[index]
        titles_here, titles_before = title_lines(c, d), title_lines(a, b)
        rich = any(roles[i] in (DECK, BYLINE) for i in range(c, d))
        if titles_here and rich and not has_opener(c, d) and not has_opener(a, b) \
                and len(titles_before) <= 1 and not any(roles[i] in (BYLINE, *_BOXED) for i in range(a, b)) \
                and similarity(_headline(paragraphs, roles, c, d), _text_from(paragraphs, roles, a, b)) >= _CONTINUES_HEADLINE:
            for i in titles_before:
                roles[i] = SUBHEAD
            merged[index - 1:index + 1] = [(a, d)]
        else:
            index += 1
    index = 1
    while index < len(merged):  # untitled text that opens with its byline, then its headline
        # A byline belongs to a headline and a headline to a byline: a story that has one but not
        # the other, next to a headline without a byline, is the same story; the two need only
        # share some words (a weaker bar than for text that has no byline).
        (a, b), (c, d) = merged[index - 1], merged[index]
        if roles[a] == BYLINE and not title_lines(a, b) and title_lines(c, d) \
                and not any(roles[i] in (BYLINE, *_BOXED) for i in range(c, d)) and not has_opener(c, d) \
                and similarity(_headline(paragraphs, roles, c, d), _text_from(paragraphs, roles, a, b)) >= _BYLINE_PAIRS_HEADLINE:
            merged[index - 1:index + 1] = [(a, d)]
        else:
            index += 1
    return merged


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
    spans = _merge_split_stories(paragraphs, roles, spans)
    for first, end in spans:
        _keep_one_title(paragraphs, roles, first, end)
    articles += [_article(paragraphs, roles, a, b) for a, b in spans]
    return _rejoin_across_boxes(paragraphs, articles)


def _rejoin_across_boxes(paragraphs: list[Paragraph], articles: list[ArticleDraft]) -> list[ArticleDraft]:
    """A story that a photo or an advert interrupts goes on after it: untitled text that opens
    with a section heading, right after a box, continues the story before the box when that
    story is itself divided by section headings (the same kind of text, the same style)."""
    result: list[ArticleDraft] = []
    for article in articles:
        previous = len(result) - 1
        while previous >= 0 and result[previous].kind in (CAPTION, ADVERT, NOTICE):
            previous -= 1
        if article.kind == OTHER and not article.title and article.paragraphs \
                and paragraphs[article.paragraphs[0]].kind == HEADING \
                and 0 <= previous < len(result) - 1 and result[previous].kind == STORY \
                and any(paragraphs[i].kind == HEADING for i in result[previous].paragraphs):
            story = result[previous]
            story.text += PARAGRAPH_SEPARATOR + article.text
            story.paragraphs += article.paragraphs
            story.paragraph_end = article.paragraph_end
            continue
        result.append(article)
    return result
