"""FTS5's ``bm25()`` of a one-phrase query, reproduced in Python bit for bit.

The archive's index tables keep no column sizes (``columnsize=0``), so FTS5's length
normalisation sees every article as the same size, and the score of a one-phrase query depends
on two things only: how many articles hold the phrase (the IDF) and the article's *weight* of it
(headline matches times ``TITLE_WEIGHT`` plus body matches). Knowing the formula, either can be
read back from a score and the other: the character lists recover weights (``char_lists``), and a
search recovers how many articles hold its term from its first hit, which FTS5 had to count for
the IDF anyway, instead of counting them a second time (``holding_from_score``).
"""

from __future__ import annotations

import math
import sqlite3

TITLE_WEIGHT = 5  # a match in a headline counts this many times a match in the body (BM25 weights)
BODY_WEIGHT = 1
K1, B = 1.2, 0.75  # FTS5's constants
_IDF_FLOOR = 1e-6  # FTS5's IDF for a phrase held by half the rows or more


def score_sql(table: str) -> str:
    """FTS5's ``bm25()`` of an index table, its arguments the column weights in the order of the
    table's columns: the body, then the headline (migration 0008)."""
    return f"bm25({table}, {float(BODY_WEIGHT)}, {float(TITLE_WEIGHT)})"


def weight(in_title: int, in_body: int) -> int:
    """An article's weight of a phrase it holds this many times in its headline and its body."""
    return TITLE_WEIGHT * in_title + BODY_WEIGHT * in_body


def averages_sql(table: str) -> str:
    """The statement (or scalar subquery) that reads an index table's averages record, which
    holds the statistics FTS5's bm25() reads: its row count and each column's token total."""
    return f"SELECT block FROM {table}_data WHERE id = 1"


def read_averages(conn: sqlite3.Connection, table: str) -> tuple[int, list[int]]:
    """An index table's statistics, which its bm25() scores are made with (``parse_averages``)."""
    record = conn.execute(averages_sql(table)).fetchone()
    return parse_averages(record[0] if record else None)


def parse_averages(record: bytes | None) -> tuple[int, list[int]]:
    """(rows, [tokens per column]) from an averages record; an empty index has none."""
    if not record:
        return 0, []
    rows, at = _varint(record, 0)
    sizes = []
    while at < len(record):
        size, at = _varint(record, at)
        sizes.append(size)
    return rows, sizes


def _varint(data: bytes, at: int) -> tuple[int, int]:
    """SQLite's variable-length integer (which FTS5's records use) at ``at``: value, next offset."""
    value = 0
    for _ in range(8):
        byte = data[at]
        at += 1
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, at
    return (value << 8) | data[at], at + 1


class Bm25:
    """The score of a one-phrase query held by ``holding`` of the index's rows, as a function of
    the weight: FTS5's statistics and arithmetic, so the scores equal FTS5's (tests compare)."""

    def __init__(self, averages: tuple[int, list[int]], holding: int) -> None:
        rows, sizes = averages
        tokens, columns = sum(sizes), len(sizes)
        self.avgdl = tokens / rows if rows else 0.0
        self.raw_idf = math.log((rows - holding + 0.5) / (holding + 0.5)) if rows else 0.0
        self.idf = self.raw_idf if self.raw_idf > 0.0 else _IDF_FLOOR
        # A contentless table without column sizes reports every column's size as -1, so an
        # article's size is minus the number of columns in FTS5's length normalisation.
        size = float(-columns)
        self.length_term = K1 * (1 - B + B * size / self.avgdl) if self.avgdl else 0.0
        self._weights: dict[float, int | None] = {}

    def weight_of(self, score: float) -> int | None:
        """The weight that gives ``score``, or None if no whole weight gives it exactly."""
        # Remembered: a page of hits has a few weights among its fifty scores (making the hits of
        # the one-year benchmark's queries, 15 alternating runs: 0.708 -> 0.667 ms a search).
        try:
            return self._weights[score]
        except KeyError:
            pass
        weight: int | None = None
        ratio = -score / self.idf
        if 0.0 < ratio < K1 + 1.0:
            weight = round(self.length_term * ratio / (K1 + 1.0 - ratio))
            if not (weight > 0 and self.score(weight) == score):
                weight = None
        self._weights[score] = weight
        return weight

    def score(self, weight: int) -> float:
        return -1.0 * (0.0 + self.idf * self.weight_part(weight))

    def weight_part(self, weight: int) -> float:
        """The factor of the score that the weight decides (the IDF is the other)."""
        frequency = float(weight)
        return (frequency * (K1 + 1.0)) / (frequency + self.length_term)


def holding_from_score(averages: tuple[int, list[int]], score: float, weight: int) -> int | None:
    """How many rows hold a one-phrase query, from one hit's FTS5 score and its weight, or None
    when no count gives that score exactly (the weight is not FTS5's — a term that overlaps
    itself, as 哈哈 in 哈哈哈, is counted once per match here and twice by FTS5 — or the phrase
    is in half the rows or more, where FTS5 floors the IDF and the score says nothing of the
    count). A count is returned only if it reproduces the score bit for bit; counts one apart
    give IDFs ~1/count apart, far more than the score's rounding."""
    rows = averages[0]
    if weight <= 0 or not rows or not score < 0.0:
        return None
    idf = -score / Bm25(averages, 1).weight_part(weight)  # the same whatever the count
    if idf <= 2 * _IDF_FLOOR:
        return None
    odds = math.exp(idf)  # idf = log((rows - n + 0.5) / (n + 0.5)), solved for n
    estimate = round((rows + 0.5 - 0.5 * odds) / (1.0 + odds))
    for holding in (estimate, estimate - 1, estimate + 1):
        if 0 < holding <= rows:
            bm25 = Bm25(averages, holding)
            if bm25.raw_idf > _IDF_FLOOR and bm25.score(weight) == score:
                return holding
    return None
