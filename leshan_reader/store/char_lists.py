"""The first articles of each frequent character's search, kept when the index is merged (0006).

A one-character query matches most of a large archive (的 is in 47,000 of 56,000 articles at five
years), and FTS5 scores every one of them to find the first fifty: 25-50 ms, the slowest searches
there are. Yet their order needs only each article's *weight* of the character (its count in the
headline times the headline's weight plus its count in the body): relevance is BM25 without length
normalisation, which grows with that weight, and equal weights keep archive order. So when the
index is merged (``fts.optimize_if_grown``, after an import that grew the archive by a quarter), each
character held by ``LISTED_FROM`` articles or more gets its count of articles and a list of its
first ``LIST_LENGTH`` articles with their weights, from FTS5's own ranking (the weight is read
back from the score, whose formula ``store.bm25`` reproduces exactly).

A search then reads the list, ranks with FTS5 only the articles indexed since it was made (ids
above ``THROUGH_KEY``), and merges the two: articles below the list's end come after all of its
own, so the first ``n`` of the merge are exact while the list holds ``n``. Removing a page takes
its articles out of the counts, and searches skip them in the lists (the rest of a list is still
the start of the order); a list left shorter than a search needs is not used.
"""

from __future__ import annotations

import sqlite3
import sys
from array import array
from collections import Counter
from typing import Iterable, NamedTuple

from leshan_reader.core.progress import NEVER_CANCELLED, CancelToken
from leshan_reader.store.bm25 import Bm25, read_averages, score_sql
from leshan_reader.store.db import get_meta, set_meta
from leshan_reader.text.normalize import normalize_long

# FTS5 ranks a character held by fewer articles within ~5 ms at five years; a list for each one
# held by more (356 characters at five years, none at one) takes ~4 s to make beside the merge.
LISTED_FROM = 20_000
LIST_LENGTH = 200  # the first page of the reader's results
THROUGH_KEY = "char_lists_through"
REMOVED_KEY = "char_lists_removed"  # articles removed since the lists were made
_SAMPLE = 400  # articles read to find the characters that may be that frequent
TABLE = "article_chars"  # fts.CHARS (fts imports this module)


class CharList(NamedTuple):
    code: int  # the character's code point
    articles: int  # how many articles hold it
    entries: bytes  # its first articles: (id, weight) pairs, packed (see _pack)


class Lists(NamedTuple):
    through: int  # the highest article id they account for
    lists: list[CharList]


def _pack(pairs: Iterable[tuple[int, int]]) -> bytes:
    values = array("q", [value for pair in pairs for value in pair])
    if sys.byteorder == "big":  # stored little-endian: the archive moves between machines
        values.byteswap()
    return values.tobytes()


def _unpack(blob: bytes) -> list[tuple[int, int]]:
    values = array("q")
    values.frombytes(blob)
    if sys.byteorder == "big":
        values.byteswap()
    return list(zip(values[::2], values[1::2]))


def _phrase(char: str) -> str:
    return '"' + char.replace('"', '""') + '"'


def _ranking(conn: sqlite3.Connection, char: str, limit: int, after: int = 0) -> list[tuple[int, float]]:
    """FTS5's first ``limit`` articles (id, score) for the character, among ids above ``after``."""
    return conn.execute(
        f"SELECT rowid, {score_sql(TABLE)} AS score FROM {TABLE} WHERE {TABLE} MATCH ? AND rowid > ? "
        "ORDER BY score, rowid LIMIT ?", [_phrase(char), after, limit]).fetchall()


def _holding(conn: sqlite3.Connection, char: str, after: int = 0) -> int:
    """How many articles with ids above ``after`` hold the character, by FTS5's count."""
    return conn.execute(f"SELECT count(*) FROM {TABLE} WHERE {TABLE} MATCH ? AND rowid > ?",
                        [_phrase(char), after]).fetchone()[0]


def _frequent_candidates(conn: sqlite3.Connection, articles: int, through: int) -> list[str]:
    """Characters that a sample of articles says may be held by LISTED_FROM articles or more (a
    count decides): reading every article's text, or FTS5's vocabulary, took seconds."""
    step = max(1, through // _SAMPLE)
    ids = list(range(step, through + 1, step))
    held: Counter = Counter()
    sampled = 0
    for title, text in conn.execute(
            f"SELECT title, text FROM articles WHERE id IN ({', '.join('?' * len(ids))})", ids):
        held.update(set(normalize_long(title)) | set(normalize_long(text)))
        sampled += 1
    share = 0.7 * LISTED_FROM / articles  # with a margin for the sample's error
    return [char for char, count in held.items() if count >= share * sampled and not char.isspace()]


def make(conn: sqlite3.Connection, through: int, cancel: CancelToken = NEVER_CANCELLED) -> Lists:
    """Make the lists from the index as ``conn`` sees it, all of it indexed up to article
    ``through`` (a reader's connection may do this while the writer merges the index)."""
    averages = read_averages(conn, TABLE)
    articles = averages[0]
    made: list[CharList] = []
    if articles < LISTED_FROM:
        return Lists(through, made)
    for char in _frequent_candidates(conn, articles, through):
        cancel.raise_if_cancelled()
        held = _holding(conn, char)
        if held < LISTED_FROM:
            continue
        bm25 = Bm25(averages, held)
        ranked = _ranking(conn, char, LIST_LENGTH)
        weights = [bm25.weight_of(score) for _, score in ranked]
        if None not in weights:  # not expected (a test compares the formula with FTS5)
            made.append(CharList(ord(char), held, _pack(zip((row[0] for row in ranked), weights))))
    return Lists(through, made)


def store(conn: sqlite3.Connection, lists: Lists) -> None:
    """Replace the stored lists (inside the caller's transaction)."""
    clear(conn)
    conn.executemany("INSERT INTO char_counts (code, articles) VALUES (?, ?)",
                     [(item.code, item.articles) for item in lists.lists])
    conn.executemany("INSERT INTO char_lists (code, entries) VALUES (?, ?)",
                     [(item.code, item.entries) for item in lists.lists])
    set_meta(conn, THROUGH_KEY, str(lists.through))
    set_meta(conn, REMOVED_KEY, "0")


def clear(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM char_lists")
    conn.execute("DELETE FROM char_counts")
    set_meta(conn, THROUGH_KEY, "0")


def forget(conn: sqlite3.Connection, removed: list[tuple[int, str, str]]) -> None:
    """Take removed articles (id, title, text) out of the counts (inside the caller's transaction);
    the lists keep their ids, which searches skip, until they are made again: rewriting the lists
    took ~25 ms a removed page."""
    through = int(get_meta(conn, THROUGH_KEY) or 0)
    removed = [row for row in removed if row[0] <= through]
    if not removed:
        return
    codes = {code for (code,) in conn.execute("SELECT code FROM char_counts")}
    counted: Counter = Counter()
    for _, title, text in removed:
        counted.update(code for code in map(ord, set(normalize_long(title)) | set(normalize_long(text)))
                       if code in codes)
    conn.executemany("UPDATE char_counts SET articles = articles - ? WHERE code = ?",
                     [(count, code) for code, count in counted.items()])
    set_meta(conn, REMOVED_KEY, str(int(get_meta(conn, REMOVED_KEY) or 0) + len(removed)))


def first_articles(
    conn: sqlite3.Connection, char: str, limit: int, offset: int
) -> tuple[int, list[tuple[int, float]]] | None:
    """A page of a one-character search from the character's list and the articles indexed since:
    (articles holding the character, [(article id, FTS5's score)]), or None without a list long
    enough."""
    row = conn.execute("SELECT c.articles, l.entries FROM char_lists l JOIN char_counts c USING (code) "
                       "WHERE code = ?", [ord(char)]).fetchone()
    if row is None:
        return None
    articles, listed = row[0], _unpack(row[1])
    if int(get_meta(conn, REMOVED_KEY) or 0):  # removing keeps the rest a prefix of the order
        ids = [article_id for article_id, _ in listed]
        present = {found for (found,) in conn.execute(
            f"SELECT id FROM articles WHERE id IN ({', '.join('?' * len(ids))})", ids)}
        listed = [pair for pair in listed if pair[0] in present]
    wanted = offset + limit
    if len(listed) < wanted and len(listed) < articles:
        return None
    through = int(get_meta(conn, THROUGH_KEY) or 0)
    newer = _ranking(conn, char, wanted, after=through)
    newer_held = _holding(conn, char, after=through) if len(newer) == wanted else len(newer)
    bm25 = Bm25(read_averages(conn, TABLE), articles + newer_held)
    newer_weights = [(article_id, bm25.weight_of(score)) for article_id, score in newer]
    if any(weight is None for _, weight in newer_weights):  # the counts disagree with FTS5's
        return None
    merged = sorted(listed + newer_weights, key=lambda pair: (-pair[1], pair[0]))[offset:wanted]
    return articles + newer_held, [(article_id, bm25.score(weight)) for article_id, weight in merged]
