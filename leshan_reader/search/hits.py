"""What each hit of a search shows — a snippet around the first match, the matches marked, their
number and weight — made from the rows the engine's statements read (``COLUMNS``) and their pages'
labels (``store.page_labels``).

A hit's text is read as its UTF-8 bytes, and most hits are made without decoding it: converting
fifty articles' text to ``str`` and matching the term through all of it, gaps and variant forms
allowed (``PrintedTextPattern``), was half of a one-year search. For a one-term query FTS5's
score tells each hit's *weight* of the term (headline matches times ``TITLE_WEIGHT`` plus body
matches, see ``store.bm25``), counting every occurrence however it is printed. Finding the term
as typed in the bytes is C-fast, and every occurrence as typed is one of the matches; so when the
occurrences found make up the weight, every match is printed as typed and none overlaps another:
they are the matches, and the first one starts the snippet, of which only the window is decoded.
Any hit whose occurrences fall short (a line break or a traditional form inside a match, a term
that overlaps itself) is matched in full, as is every hit of a query with several terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from leshan_reader.core.progress import CancelToken
from leshan_reader.search.query import ParsedQuery
from leshan_reader.store import bm25
from leshan_reader.store.page_labels import Label
from leshan_reader.text.normalize import PrintedTextPattern

SNIPPET_BEFORE = 30
SNIPPET_AFTER = 50
MARK_OPEN, MARK_CLOSE = "⟦", "⟧"
_UTF8_MAX = 4  # bytes a character takes at most
_BEFORE_BYTES, _AFTER_BYTES = _UTF8_MAX * (SNIPPET_BEFORE + 1), _UTF8_MAX * (SNIPPET_AFTER + 1)
_TITLE_WEIGHT, _BODY_WEIGHT = bm25.TITLE_WEIGHT, bm25.BODY_WEIGHT
_FOUND_ONE_BY_ONE = 4  # a body's matches found one by one up to this many, counted beyond

# What each hit shows, from the page of ranked hits ``r``; ``make_hits`` unpacks the columns in
# this order, so every select that feeds it starts with them (and may add more after them).
COLUMNS = "r.article_id, r.score, a.page_id, a.title, CAST(a.text AS BLOB)"
JOINS = "JOIN articles a ON a.id = r.article_id"


@dataclass
class SearchHit:
    page_id: int
    date: str | None
    date_precision: str | None
    page: int | None
    source: str
    article_id: int
    title: str
    snippet: str  # plain text of the snippet
    marks: list[tuple[int, int]]  # matches inside ``snippet``
    matches: int
    score: float
    # What BM25 ranks a one-term query by: headline matches times TITLE_WEIGHT plus body matches.
    weight: int = 0

    def marked_snippet(self) -> str:
        out, last = [], 0
        for start, end in self.marks:
            out += [self.snippet[last:start], MARK_OPEN, self.snippet[start:end], MARK_CLOSE]
            last = end
        out.append(self.snippet[last:])
        return "".join(out)

    def to_json(self) -> dict:
        return {
            "page_id": self.page_id,
            "date": self.date,
            "date_precision": self.date_precision,
            "page": self.page,
            "source": self.source,
            "article_id": self.article_id,
            "title": self.title,
            "snippet": self.marked_snippet(),
            "snippet_text": self.snippet,
            "snippet_marks": [list(m) for m in self.marks],
            "matches": self.matches,
            # Significant digits, not decimals: a character in most articles scores ~1e-6 (FTS5
            # floors its IDF there), which four decimals printed as 0.0 for every hit.
            "score": float(f"{self.score:.4g}"),
        }


def match_spans(text: str, patterns: list[PrintedTextPattern]) -> list[tuple[int, int]]:
    """Non-overlapping matches of any pattern in ``text``, in order (offsets into ``text``)."""
    if len(patterns) == 1:  # most queries: one pattern's matches come in order, not overlapping
        return patterns[0].spans(text)
    spans = sorted(span for pattern in patterns for span in pattern.spans(text))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            continue
        merged.append((start, end))
    return merged


def snippet(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """The text around the first of ``spans`` (the start without any), and the spans inside it."""
    if not spans:
        shown = text[: SNIPPET_BEFORE + SNIPPET_AFTER]
        return shown.replace("\n", " "), []
    first_start, first_end = spans[0]
    start = max(0, first_start - SNIPPET_BEFORE)
    end = min(len(text), first_end + SNIPPET_AFTER)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    body = text[start:end].replace("\n", " ")
    marks = [
        (s - start + len(prefix), e - start + len(prefix))
        for s, e in spans
        if s >= start and e <= end
    ]
    return prefix + body + suffix, marks


def make_hits(
    parsed: ParsedQuery, rows: list, labels: Mapping[int, Label], cancel: CancelToken,
    averages: tuple[int, list[int]] | None = None,
) -> tuple[list[SearchHit], int | None]:
    """The hits of ``rows`` (see ``COLUMNS``), their pages labelled by ``labels``, and how many
    articles hold the term, read back from the scores: given the statistics of the index the
    scores were made with (its averages record), a one-term query's hits are made from the term's
    count as printed where they can be (see the module's note), and the count of articles is
    returned when a hit tells it (else None)."""
    if not rows:
        return [], None
    printed = _PrintedHits(parsed, rows, labels)
    term = parsed.single_term if averages is not None else None
    if term is None:
        hits = []
        for row in rows:
            cancel.raise_if_cancelled()
            hits.append(printed.hit(row))
        return hits, None
    typed = _TypedHits(term, labels)
    scoring: bm25.Bm25 | None = None
    holding = None
    hits = []
    for index, row in enumerate(rows):
        cancel.raise_if_cancelled()
        if scoring is None and index < _READ_FROM_HITS:
            holding, scoring = _scoring(averages, row[1], typed.weight(row))
        hit = typed.hit(row, scoring.weight_of(row[1])) if scoring is not None else None
        if hit is None:
            hit = printed.hit(row)
            typed.learn(printed.first_printed)
            if scoring is None and index < _READ_FROM_HITS:
                holding, scoring = _scoring(averages, row[1], hit.weight)
        hits.append(hit)
    return hits, holding


_READ_FROM_HITS = 3  # hits tried for the count of articles before the rest are matched in full


def _scoring(averages: tuple[int, list[int]], score: float, weight: int) -> tuple[int | None, bm25.Bm25 | None]:
    """How many articles hold the term and the BM25 that reads weights from scores, from one
    hit's score and a weight; (None, None) if they do not tell. A term in half the articles or
    more leaves the count unknown (FTS5 floors its IDF), but its scores still tell the weights.

    The weight may be a guess, the term's count as printed: only FTS5's weight reproduces the
    score bit for bit (with another weight the IDF would have to land on the very double that
    makes up for it, for one of the three counts tried)."""
    holding = bm25.holding_from_score(averages, score, weight)
    if holding is not None:
        return holding, bm25.Bm25(averages, holding)
    floored = bm25.Bm25(averages, averages[0])  # any count from half the rows up scores alike
    if weight > 0 and floored.score(weight) == score:
        return None, floored
    return None, None


class _PrintedHits:
    """Hits matched through their whole text, gaps and variant forms allowed."""

    def __init__(self, parsed: ParsedQuery, rows: list, labels: Mapping[int, Label]) -> None:
        self._terms = parsed.positive_terms
        self._rows = rows
        self._labels = labels
        self._patterns: list[PrintedTextPattern] | None = None
        self.first_printed = ""  # how the last hit printed its first match

    def _patterns_for(self) -> list[PrintedTextPattern]:
        if self._patterns is None:
            # The first hits' texts tell which character of each term is rarest in this archive.
            sample = "".join(row[4].decode("utf-8") for row in self._rows[:3])
            self._patterns = [PrintedTextPattern(term, sample) for term in self._terms]
        return self._patterns

    def hit(self, row: tuple) -> SearchHit:
        patterns = self._patterns_for()
        # Unpacked by position (the order of COLUMNS): a look-up by name compares names one by one.
        article_id, score, page_id, title, text = row[:5]
        page, source, date, precision = self._labels[page_id]
        text = text.decode("utf-8")
        body_spans = match_spans(text, patterns)
        title_spans = match_spans(title, patterns) if title else []
        if body_spans or not title_spans:
            shown, marks = snippet(text, body_spans)
            self.first_printed = text[slice(*body_spans[0])] if body_spans else ""
        else:
            shown, marks = snippet(title, title_spans)
            self.first_printed = title[slice(*title_spans[0])]
        return SearchHit(
            page_id=page_id, date=date, date_precision=precision, page=page, source=source,
            article_id=article_id, title=title, snippet=shown, marks=marks,
            matches=len(body_spans) + len(title_spans), score=-score,
            weight=bm25.weight(len(title_spans), len(body_spans)),
        )


class _TypedHits:
    """Hits made from the term's occurrences as typed, when they are all of its matches.

    "As typed" is as the archive prints it: the query is folded (``，`` to ``,``, ``3D`` to
    ``3d``), so the form counted is the one the last hit matched in full printed, when it printed
    the term without a gap; any form that folds to the term is one of its matches."""

    def __init__(self, term: str, labels: Mapping[int, Label]) -> None:
        self._set(term)
        self._labels = labels

    def _set(self, term: str) -> None:
        self._term = term
        self._encoded = term.encode("utf-8")
        self._length = len(term)

    def learn(self, printed: str) -> None:
        if len(printed) == self._length and printed != self._term:  # no gap inside
            self._set(printed)

    def weight(self, row: tuple) -> int:
        """The hit's weight of the term as printed (FTS5's if every match is printed so)."""
        title = row[3]
        return bm25.weight(title.count(self._term) if title else 0, row[4].count(self._encoded))

    def hit(self, row: tuple, weight: int | None) -> SearchHit | None:
        """The hit, or None unless its occurrences as typed make up FTS5's ``weight``."""
        if weight is None:
            return None
        # Made for each of a page's fifty hits: written out rather than in helpers (making the hits
        # of the one-year benchmark's queries, alternating with the previous code: 17% less time).
        # Every occurrence as typed is a match, in its column; so when the headline's and then
        # the body's occurrences found make up the weight, they are all the matches, and the body
        # is searched only as far as its last match, not counted to its end (median 274 -> 249 us).
        title, text = row[3], row[4]
        in_title = title.count(self._term) if title else 0
        in_body, rest = divmod(weight - _TITLE_WEIGHT * in_title, _BODY_WEIGHT)
        if in_body < 0 or rest:
            return None
        if in_body:
            at = text.find(self._encoded)
            if not self._holds(text, at, in_body):
                return None
            shown, marks = self._body_snippet(text, at, in_body)
        else:
            shown, marks = snippet(title, list(_typed_spans(title, self._term, 0)))
        page, source, date, precision = self._labels[row[2]]
        return SearchHit(row[2], date, precision, page, source, row[0], title, shown, marks,
                         in_title + in_body, -row[1], weight)

    def _holds(self, text: bytes, at: int, count: int) -> bool:
        """Whether the body holds ``count`` occurrences as typed from the first, at ``at``."""
        if at < 0:
            return False
        step = len(self._encoded)
        if count > _FOUND_ONE_BY_ONE:
            return text.count(self._encoded, at + step) + 1 >= count
        for _ in range(count - 1):
            at = text.find(self._encoded, at + step)
            if at < 0:
                return False
        return True

    def _body_snippet(self, text: bytes, at: int, count: int) -> tuple[str, list[tuple[int, int]]]:
        """``snippet`` of the body, decoding a window around the first match only: one character
        more on each side than a snippet shows, at most bytes a character, so that a character
        beyond the shown ones tells whether the text goes on (one cut at an edge of the window is
        dropped by the decoding)."""
        term, length = self._term, self._length
        window = text[at - _BEFORE_BYTES if at > _BEFORE_BYTES else 0:
                      at + len(self._encoded) + _AFTER_BYTES].decode("utf-8", "ignore")
        first = window.find(term)  # the window starts before the text's first match
        start = first - SNIPPET_BEFORE if first > SNIPPET_BEFORE else 0
        end = first + length + SNIPPET_AFTER
        shown = window[start:end]
        if start:
            shown, first = "…" + shown, first - start + 1
        marks = [(first, first + length)]
        if count > 1:  # the others shown follow the first
            marks.extend(_typed_spans(shown, term, first + length))
        shown = shown.replace("\n", " ")
        return (shown + "…" if len(window) > end else shown), marks


def _typed_spans(text: str, term: str, start: int) -> Iterable[tuple[int, int]]:
    """The term's occurrences as typed in ``text`` from ``start``, not overlapping."""
    at = text.find(term, start)
    while at >= 0:
        yield at, at + len(term)
        at = text.find(term, at + len(term))
