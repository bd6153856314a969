"""Running a parsed query against the archive's index.

Recall is exact by construction: the index holds every character of every article as its own
token, so a term (a phrase of its characters) matches wherever the characters occur in order,
whatever words they belong to. Ranking is FTS5's BM25 with headline matches weighted up and
without length normalisation (the index keeps no per-article sizes, see migration 0003): an
article that uses the term more, or in its headline, ranks higher, and equal scores keep archive
order. Snippets and match counts are computed from the stored text for the hits returned only.

The total is always exact; it is counted by FTS5, or read back from the first hit's score
(``search.hits.make_hits``). The date order of a term in many articles walks the archive by date
(``_walked_by_date``) rather than sorting every hit.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Callable, Mapping

from leshan_reader.core.dates import parse_range_bound
from leshan_reader.core.errors import QueryError
from leshan_reader.core.progress import NEVER_CANCELLED, CancelToken
from leshan_reader.search.query import ParsedQuery, parse_query
from leshan_reader.store import article_keys, bm25, char_lists
from leshan_reader.store.db import interruptible, read_snapshot
from leshan_reader.store.page_labels import Label, PageLabels
from leshan_reader.store.fts import BIGRAMS, CHARS
from leshan_reader.search.hits import (  # noqa: F401 (SearchHit, match_spans: the search API)
    COLUMNS as _HIT_COLUMNS,
    JOINS as _HIT_JOINS,
    SearchHit,
    make_hits,
    match_spans,
)

RELEVANCE, DATE = "relevance", "date"


@dataclass
class SearchOptions:
    date_from: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    date_to: str | None = None
    page: int | None = None
    order: str = RELEVANCE
    limit: int | None = None
    offset: int = 0


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[SearchHit] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"query": self.query, "total": self.total, "hits": [h.to_json() for h in self.hits]}


def _filters(options: SearchOptions) -> tuple[str, list]:
    where, params = [], []
    try:
        if options.date_from:
            where.append("k.date_end >= ?")
            params.append(parse_range_bound(options.date_from, upper=False))
        if options.date_to:
            where.append("k.date_start <= ?")
            params.append(parse_range_bound(options.date_to, upper=True))
    except ValueError as exc:
        raise QueryError(f"Date filter: {exc}") from None
    if options.page is not None:
        where.append("k.page = ?")
        params.append(options.page)
    return "".join(f" AND {clause}" for clause in where), params


def search(
    conn: sqlite3.Connection,
    query: str | ParsedQuery,
    options: SearchOptions | None = None,
    cancel: CancelToken = NEVER_CANCELLED,
    open_helper: Callable[[], sqlite3.Connection | None] | None = None,
    labels: PageLabels | None = None,
) -> SearchResult:
    """Search the archive. ``open_helper`` gives a second connection to the same archive (or
    None), asked for only when a large archive can rank a one-character query in two halves;
    ``labels``, the page labels remembered for ``conn`` (see store.page_labels).

    A search's statements read one state of the archive (one read transaction): its hits, their
    pages' labels, its total and the index statistics its hits are made with agree, even while
    another connection imports."""
    options = options or SearchOptions()
    parsed = query if isinstance(query, ParsedQuery) else parse_query(query)
    if options.order not in (RELEVANCE, DATE):
        raise QueryError(f"Unknown order {options.order!r}: use relevance or date.")
    with read_snapshot(conn):
        return _search(conn, parsed, options, cancel, open_helper, labels or PageLabels())


def _search(
    conn: sqlite3.Connection, parsed: ParsedQuery, options: SearchOptions, cancel: CancelToken,
    open_helper: Callable[[], sqlite3.Connection | None] | None, labels: PageLabels,
) -> SearchResult:
    expression = parsed.fts_expression()
    table = BIGRAMS if parsed.uses_bigrams else CHARS
    filter_sql, filter_params = _filters(options)
    limit = -1 if options.limit is None else max(0, int(options.limit))
    # One term, unfiltered, ranked: its BM25 score is a function of the number of articles that
    # hold the term and the hit's weight, so the total is read back from the hits (see
    # search.hits.make_hits) instead of counted by another pass (five years, the benchmark's queries
    # run by both ways in turn: median 8.5 -> 7.5 ms, p95 21.8 -> 19.2 ms).
    one_term = (options.order == RELEVANCE and limit >= 0 and not filter_sql
                and parsed.single_term is not None)
    if table == CHARS and one_term:
        listed = _ranked_from_list(conn, parsed.single_term, limit, options.offset, cancel)
        if listed is not None:
            ranked, total = listed
            hits, _ = make_hits(parsed, ranked, _labels_of(conn, labels, ranked), cancel,
                                bm25.read_averages(conn, table))
            return SearchResult(query=parsed.text, total=total, hits=hits)
    joins = article_keys.JOIN  # what the filters and the date order read (see article_keys)
    count_sql = (
        f"SELECT count(*) FROM {table} f{joins if filter_sql else ''} "
        f"WHERE {table} MATCH ?{filter_sql}"
    )
    known_total = None
    if options.order == DATE and limit > 0 and not filter_sql:
        walked, known_total = _walked_by_date(conn, table, expression, count_sql, limit,
                                              options.offset, cancel)
        if walked is not None:
            hits, _ = make_hits(parsed, walked, _labels_of(conn, labels, walked), cancel,
                                _averages_of_one_term(conn, table, parsed))
            return SearchResult(query=parsed.text, total=known_total, hits=hits)
    helper, last_id = None, 0
    if open_helper is not None and table == CHARS and options.order == RELEVANCE and limit >= 0:
        last_id = conn.execute("SELECT max(id) FROM articles").fetchone()[0] or 0
        if last_id >= PARALLEL_MIN_ARTICLES:
            helper = open_helper()
    order = "score, f.rowid" if options.order == RELEVANCE else article_keys.DATE_ORDER
    hits_sql = (
        f"SELECT f.rowid AS article_id, {bm25.score_sql(table)} AS score "
        f"FROM {table} f{joins if filter_sql or options.order == DATE else ''} "
        f"WHERE {table} MATCH ?{filter_sql}"
    )
    reads_total = one_term and limit > 0 and helper is None
    # The page of hits and what each hit shows, in one statement (a second one to fetch the
    # articles cost 10% of a search). A page in relevance order is put back in order below: an
    # ORDER BY here sorted the rows with their text, a fifth of the statement's time.
    select = (
        f"SELECT {_HIT_COLUMNS} FROM ({hits_sql} ORDER BY {order} LIMIT ? OFFSET ?) r "
        f"{_HIT_JOINS}"
        + ("" if options.order == RELEVANCE else
           f" JOIN article_keys k ON k.article_id = r.article_id ORDER BY {order}")
    )
    counted = (not reads_total and options.order == RELEVANCE and limit >= 0
               and _counts_in_the_ranking(parsed, table))
    if counted:
        select = _select_with_total(hits_sql)
    params = [expression, *filter_params]
    if helper is not None:
        ranked, total = _ranked_in_halves(conn, helper, select, count_sql, expression,
                                          filter_params, limit, options.offset, last_id, cancel)
    else:
        ranked, total = _ranked(conn, select, count_sql, params, limit, options.offset, cancel,
                                counted, count_later=reads_total or known_total is not None)
        if options.order == RELEVANCE:
            ranked = _in_rank_order(ranked)
    # The index's statistics, read in the same transaction as the scores (see search()).
    averages = _averages_of_one_term(conn, table, parsed)
    hits, holding = make_hits(parsed, ranked, _labels_of(conn, labels, ranked), cancel, averages)
    if total is None:
        total = known_total
        if total is None and reads_total and holding is not None and holding >= options.offset + len(ranked):
            total = holding
        if total is None:
            with interruptible(conn, cancel):
                total = conn.execute(count_sql, params).fetchone()[0]
    return SearchResult(query=parsed.text, total=total, hits=hits)


def _labels_of(conn: sqlite3.Connection, labels: PageLabels, rows: list[tuple]) -> Mapping[int, Label]:
    return labels.of(conn, (row[2] for row in rows))  # the page ids (see search.hits.COLUMNS)


def _averages_of_one_term(conn: sqlite3.Connection, table: str, parsed: ParsedQuery) -> tuple[int, list[int]] | None:
    """The index's statistics for a query of one term, whose hits they help make (search.hits)."""
    if parsed.single_term is not None:
        return bm25.read_averages(conn, table)
    return None


def _ranked_from_list(
    conn: sqlite3.Connection, char: str, limit: int, offset: int, cancel: CancelToken
) -> tuple[list[tuple], int] | None:
    """A one-character query's page of hits from the character's list (see store.char_lists),
    or None without one long enough. The same hits, order and scores as FTS5's ranking: at five
    years 的 takes ~3 ms instead of ~30."""
    with interruptible(conn, cancel):
        listed = char_lists.first_articles(conn, char, limit, offset)
        if listed is None:
            return None
        total, page = listed
        return _hit_rows(conn, page), total


def _plain_rows(conn: sqlite3.Connection, sql: str, params: list) -> list[tuple]:
    """The rows as tuples: hits are read by position (see search.hits), and making each row a
    ``sqlite3.Row`` was 4% of the statement."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute(sql, params).fetchall()


def _hit_rows(conn: sqlite3.Connection, page: list[tuple[int, float]]) -> list[tuple]:
    """What each hit of a page of (article id, score) shows, in the page's order."""
    if not page:
        return []
    rows = _plain_rows(
        conn,
        f"SELECT {_HIT_COLUMNS} FROM (SELECT column1 AS article_id, column2 AS score FROM "
        f"(VALUES {', '.join('(?, ?)' for _ in page)})) r {_HIT_JOINS}",
        [value for pair in page for value in pair])
    position = {article_id: index for index, (article_id, _) in enumerate(page)}
    return sorted(rows, key=lambda row: position[row[0]])


# A search by date joined every hit to its keys and sorted them all: 15-27 ms at five years for
# a term in 15,000-48,000 articles. Such a term is found every few articles, so walking the
# archive in date order (the index of migration 0007) finds the first page of hits sooner: ids
# in chunks, each chunk's hits (with their scores) from one FTS5 query over the chunk's id range.
# The walk is taken when the page ends within the first eighth of the hits of a term held by
# many articles, and given up for the usual sort when the archive's ids do not follow its dates
# (imported out of order) or the term's hits are not spread over it. Five years, the benchmark's
# queries by date run by both ways in turn: median 7.7 -> 6.2 ms, p95 36.3 -> 15.4 ms
# (one-character queries 26 -> 5 ms); one year: median 2.47 -> 2.29 ms, p95 6.6 -> 3.8 ms.
WALK_FROM_HITS = 4_000
_WALK_WITHIN_HITS = 8  # the page ends within the first 1/8 of the hits
_WALK_SPAN = 8  # a chunk's ids may spread over this many times as many ids
_WALK_SPARE = 64  # ids walked beyond the expected end of the page in the first chunk


def _walked_by_date(
    conn: sqlite3.Connection, table: str, expression: str, count_sql: str, limit: int,
    offset: int, cancel: CancelToken,
) -> tuple[list[tuple] | None, int]:
    """An unfiltered search's page of hits in date order, found by walking the archive in date
    order, and the total (counted first by ``count_sql``: it decides); no page where the walk
    does not pay (then the hits are sorted)."""
    wanted = offset + limit
    with interruptible(conn, cancel):
        total = conn.execute(count_sql, [expression]).fetchone()[0]
        if total < WALK_FROM_HITS or wanted * _WALK_WITHIN_HITS > total:
            return None, total
        articles = conn.execute("SELECT max(article_id) FROM article_keys").fetchone()[0] or 0
        budget = 4 * wanted * articles // total + 1024  # ids walked before the walk is given up
        chunk = wanted * articles // total + _WALK_SPARE
        walk = conn.execute(f"SELECT article_id FROM article_keys k ORDER BY {article_keys.DATE_ORDER}")
        found: list[tuple[int, float]] = []
        walked = 0
        try:
            while len(found) < wanted:
                ids = [row[0] for row in walk.fetchmany(chunk)]
                walked += len(ids)
                if not ids:  # the whole archive walked: every hit found
                    break
                low, high = min(ids), max(ids)
                if walked > budget or high - low >= _WALK_SPAN * len(ids):
                    return None, total
                scores = dict(conn.execute(
                    f"SELECT rowid, {bm25.score_sql(table)} FROM {table} "
                    f"WHERE {table} MATCH ? AND rowid >= ? AND rowid <= ?", [expression, low, high]))
                found += [(article_id, scores[article_id]) for article_id in ids if article_id in scores]
                chunk *= 2
        finally:
            walk.close()
        return _hit_rows(conn, found[offset:wanted]), total


# A query of several terms, or filtered, is counted. A term of four characters or more is a
# phrase of three bigrams or more, and finding its articles a third time to count them (after
# BM25's pass for its statistics and the ranking pass) cost more than keeping the ranking
# pass's hits and counting those: ranked hits are kept
# in a temporary table that gives both the total and the page of hits. The benchmark's 200
# queries, each run by both ways in turn (two runs a size): one year median 4.17 -> 3.91 and
# 3.77 -> 3.63 ms, five years 8.97 -> 8.17 and 7.70 -> 7.18 ms; means 5-7% lower. For
# shorter terms the count pass is cheaper than keeping the hits (本报讯, in 47,000 articles at
# five years: 29 -> 37 ms when kept), and one-character queries rank in halves instead.
_KEEP_HITS_FROM_CHARS = 4


def _counts_in_the_ranking(parsed: ParsedQuery, table: str) -> bool:
    return table == BIGRAMS and max(map(len, parsed.positive_terms)) >= _KEEP_HITS_FROM_CHARS


def _select_with_total(hits_sql: str) -> str:
    return (
        f"WITH hits AS MATERIALIZED ({hits_sql}) "
        f"SELECT {_HIT_COLUMNS}, (SELECT count(*) FROM hits) AS total FROM (SELECT article_id, "
        f"score FROM hits ORDER BY score, article_id LIMIT ? OFFSET ?) r {_HIT_JOINS}"
    )


def _in_rank_order(rows: list) -> list:
    """Hits by score, then archive order (the columns begin with article id and score)."""
    return sorted(rows, key=_SCORE_THEN_ID)


_SCORE_THEN_ID = itemgetter(1, 0)


def _ranked(
    conn: sqlite3.Connection, select: str, count_sql: str, params: list, limit: int, offset: int,
    cancel: CancelToken, counted: bool = False, count_later: bool = False,
) -> tuple[list[tuple], int | None]:
    """The page of ranked hits and the total; ``counted``: the rows carry the total;
    ``count_later``: a total that needs counting is left to the caller (None)."""
    with interruptible(conn, cancel):
        ranked = _plain_rows(conn, select, [*params, limit, offset])
        if counted and ranked:
            total = ranked[0][-1]  # the total, last (see _select_with_total)
        elif (limit < 0 or len(ranked) < limit) and (ranked or not offset):
            total = offset + len(ranked)  # the ranking saw every hit: no second pass
        elif count_later and ranked:
            total = None
        else:
            total = conn.execute(count_sql, params).fetchone()[0]
    return ranked, total


# One-character queries score every article holding the character (30,000-48,000 at five years),
# and that scoring was most of the slowest searches. From this many articles the archive is
# ranked in two halves of its article ids at once, one on a helper connection (SQLite works
# without the GIL). At five years, four alternating runs of the benchmark's 200 queries:
# one-character median 16.8 -> 15.1 ms, p95 of all 24.1 -> 21.4 ms. Not 2x: each half's BM25
# reads the term's whole doclist for its statistics, and this VM's two cores share a lot. The
# halves give the same order as one pass: BM25's statistics are the whole index's either way.
PARALLEL_MIN_ARTICLES = 20_000
_HALF_ID = " AND f.rowid >= ? AND f.rowid < ?"
_helper_thread = None  # a ThreadPoolExecutor, made on first use (start-up never needs one)


def _ranked_in_halves(
    conn: sqlite3.Connection, helper: sqlite3.Connection, select: str, count_sql: str,
    expression: str, filter_params: list, limit: int, offset: int, last_id: int,
    cancel: CancelToken,
) -> tuple[list[tuple], int]:
    global _helper_thread
    if _helper_thread is None:
        from concurrent.futures import ThreadPoolExecutor  # here: start-up never needs it

        _helper_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-half")
    # The id range goes into the FTS query itself (right after MATCH ?), where FTS5 seeks by it.
    select = select.replace(" MATCH ?", " MATCH ?" + _HALF_ID, 1)
    count_sql = count_sql.replace(" MATCH ?", " MATCH ?" + _HALF_ID, 1)
    middle = last_id // 2 + 1
    halves = [(0, middle), (middle, last_id + 1)]

    def half(connection: sqlite3.Connection, bounds: tuple[int, int]) -> tuple[list[tuple], int]:
        return _ranked(connection, select, count_sql, [expression, *bounds, *filter_params],
                       limit + offset, 0, cancel)

    upper = _helper_thread.submit(half, helper, halves[1])
    try:
        lower_rows, lower_total = half(conn, halves[0])
    finally:
        upper_rows, upper_total = upper.result()
    merged = _in_rank_order(lower_rows + upper_rows)
    return merged[offset:offset + limit], lower_total + upper_total
