"""The full-text indexes over articles: contentless FTS5 tables of characters and of bigrams.

Contentless keeps the indexes small (the text is stored once, in ``articles``). Removing a row then
needs the tokens it was indexed with; they are recomputed from the stored text with the same
folding, and the folding's signature is stored so that a new version re-indexes everything
instead of deleting with different tokens.

The indexes are derived data and may lag the articles by the last few imported files: article ids
only grow (AUTOINCREMENT), and ``meta.fts_indexed_through`` is the highest id indexed. An import
commits files in small groups and indexes them in larger batches (FTS5 pays per commit); a
killed import leaves committed but unindexed articles, which ``catch_up`` indexes on the next open.
"""

from __future__ import annotations

import sqlite3
from typing import Iterable

from leshan_reader.core.errors import ArchiveError, Cancelled
from leshan_reader.core.progress import NEVER_CANCELLED, CancelToken, ProgressCallback, no_progress
from leshan_reader.store import char_lists
from leshan_reader.store.db import get_meta, interruptible, open_connection, set_meta, write_transaction
from leshan_reader.text.normalize import bigram_tokens, char_tokens, fold_signature, normalize_long

SIGNATURE_KEY = "fts_fold_signature"
INDEXED_THROUGH_KEY = "fts_indexed_through"
OPTIMIZED_AT_KEY = "fts_optimized_at_articles"
# Merge the index into one segment once the archive has grown by this factor since the last
# time: queries then read one b-tree per token instead of dozens (5 years: median 8.8 -> 5.2 ms,
# p95 24.5 -> 18.8 ms), and the growth rule keeps the total merging work linear in the archive.
OPTIMIZE_GROWTH = 1.25
CHARS, BIGRAMS = "article_chars", "article_bigrams"
_TOKENIZERS = ((CHARS, char_tokens), (BIGRAMS, bigram_tokens))


IndexTokens = tuple[tuple[bytes, bytes], ...]  # per index table: (title tokens, body tokens)


def index_tokens(title: str, body: str) -> IndexTokens:
    """What an article contributes to each index; pure, so an importer can compute it off the
    writer's thread.

    As UTF-8 bytes, which FTS5 reads as the text they encode (a blob's bytes are its text): they
    go from a parsing process to the writer and into SQLite copied, where text was decoded from
    the pickle and encoded again for SQLite (the writer's indexing of 3,000 articles:
    1.48-1.68 -> 1.32-1.55 s, three alternating runs)."""
    title, body = normalize_long(title), normalize_long(body)
    return tuple((tokens(title).encode(), tokens(body).encode()) for _, tokens in _TOKENIZERS)


def index_articles(conn: sqlite3.Connection, articles: list[tuple[int, IndexTokens]]) -> None:
    """Add articles (id, tokens), in increasing id order, to the indexes.

    One table at a time: with the two tables' inserts interleaved article by article, each
    evicted the other's pending terms from the processor's caches (a year's articles in batches
    of 1,250, four alternating runs: 4.3-6.1 s interleaved, 3.5-4.3 s one table after the other
    with ``executemany``, 3.8-4.6 s without it)."""
    for position, (table, _) in enumerate(_TOKENIZERS):
        conn.executemany(f"INSERT INTO {table} (rowid, title, body) VALUES (?, ?, ?)",
                         [(article_id, *tokens[position]) for article_id, tokens in articles])


def indexed_through(conn: sqlite3.Connection) -> int:
    return int(get_meta(conn, INDEXED_THROUGH_KEY) or 0)


def set_indexed_through(conn: sqlite3.Connection, article_id: int) -> None:
    set_meta(conn, INDEXED_THROUGH_KEY, str(article_id))


def unindex_articles(conn: sqlite3.Connection, rows: Iterable[sqlite3.Row]) -> None:
    """Remove articles (rows with id, title, text) from the indexes; rows not indexed yet are
    skipped."""
    through = indexed_through(conn)
    rows = [row for row in rows if row["id"] <= through]
    char_lists.forget(conn, [(row["id"], row["title"], row["text"]) for row in rows])
    for row in rows:
        tokens = index_tokens(row["title"], row["text"])
        for (table, _), (title, body) in zip(_TOKENIZERS, tokens):
            conn.execute(
                f"INSERT INTO {table} ({table}, rowid, title, body) VALUES ('delete', ?, ?, ?)",
                [row["id"], title, body],
            )


def index_is_current(conn: sqlite3.Connection) -> bool:
    return get_meta(conn, SIGNATURE_KEY) == fold_signature()


def mark_index_current(conn: sqlite3.Connection) -> None:
    set_meta(conn, SIGNATURE_KEY, fold_signature())


def rebuild_index(
    conn: sqlite3.Connection,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> int:
    """Re-index every article (inside the caller's transaction). Returns the article count."""
    for table, _ in _TOKENIZERS:
        conn.execute(f"INSERT INTO {table} ({table}) VALUES ('delete-all')")
    pause_merging(conn)  # it ends with optimize (in the same transaction: nothing to undo)
    total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    done = last_id = 0
    while True:  # in chunks: a whole archive's text at once took 230 MB at 5 years
        rows = conn.execute(
            "SELECT id, title, text FROM articles WHERE id > ? ORDER BY id LIMIT 500", [last_id]
        ).fetchall()
        if not rows:
            break
        cancel.raise_if_cancelled()
        index_articles(conn, [(row["id"], index_tokens(row["title"], row["text"])) for row in rows])
        done += len(rows)
        last_id = rows[-1]["id"]
        progress(done, total, "re-indexing")
    mark_index_current(conn)
    last = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'articles'").fetchone()
    set_indexed_through(conn, last[0] if last else 0)
    resume_merging(conn)
    optimize(conn, cancel)  # a rebuilt index is in several segments
    char_lists.clear(conn)  # made from the committed index: see remake_char_lists
    progress(total, total, "re-indexing")
    return total


def pending_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM articles WHERE id > ?", [indexed_through(conn)]).fetchone()[0]


def catch_up(conn: sqlite3.Connection, pending: list[tuple[int, IndexTokens]] | None = None) -> int:
    """Index articles written but not indexed yet (inside the caller's transaction).

    ``pending`` carries tokens already computed by an importer; articles not in it are read
    back from the archive (after an interrupted import)."""
    through = indexed_through(conn)
    known = dict(pending or [])
    # Ids first: the text is read only for articles whose tokens are not known (reading every
    # pending article's text cost 0.5 s over five years' import).
    ids = [row[0] for row in conn.execute("SELECT id FROM articles WHERE id > ? ORDER BY id", [through])]
    articles = []
    for article_id in ids:
        tokens = known.get(article_id)
        if tokens is None:
            title, text = conn.execute("SELECT title, text FROM articles WHERE id = ?", [article_id]).fetchone()
            tokens = index_tokens(title, text)
        articles.append((article_id, tokens))
    index_articles(conn, articles)
    last = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'articles'").fetchone()
    set_indexed_through(conn, max(through, last[0] if last else 0))
    return len(ids)


# An import that will end by merging the index into one segment (optimize) pauses FTS5's merging
# of segments meanwhile: merging them as they are written was wasted work, a fifth of the index's
# writing at five years (the five years' articles indexed in import-sized batches, commits then
# optimize, /tmp/proto/am_iso.py: 33.3 -> 26.5 s; commits 8.7 -> 2.8 s, optimize 6.1 s either
# way). The setting lives in the index, so a killed import leaves merging paused: opening the
# archive resumes it (``maintain``).
_AUTOMERGE = 8  # the archive's setting (migration 0003)
_CRISISMERGE = 16  # FTS5's default: segments on one level it merges whatever the setting
_CRISISMERGE_PAUSED = 64


def pause_merging(conn: sqlite3.Connection) -> None:
    """Inside the caller's transaction (committed before the import's writes)."""
    for table, _ in _TOKENIZERS:
        conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', 0)")
        conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('crisismerge', ?)", [_CRISISMERGE_PAUSED])


def resume_merging(conn: sqlite3.Connection) -> None:
    """Inside the caller's transaction."""
    for table, _ in _TOKENIZERS:
        conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', ?)", [_AUTOMERGE])
        conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('crisismerge', ?)", [_CRISISMERGE])


def merging_paused(conn: sqlite3.Connection) -> bool:
    return any(conn.execute(f"SELECT 1 FROM {table}_config WHERE k = 'automerge' AND v = 0").fetchone()
               for table, _ in _TOKENIZERS)


def _merge_due_at(conn: sqlite3.Connection, articles: float) -> bool:
    """Whether an archive of this many articles has grown enough since the last merge."""
    last = int(get_meta(conn, OPTIMIZED_AT_KEY) or 0)
    return articles > 0 and articles >= last * OPTIMIZE_GROWTH


def will_grow_enough_to_optimize(conn: sqlite3.Connection, new_pages: int) -> bool:
    """Whether importing this many new pages grows the archive enough for ``optimize_if_grown``."""
    pages = conn.execute("SELECT count(*) FROM pages").fetchone()[0]
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    per_page = articles / pages if pages else 1
    return _merge_due_at(conn, articles + new_pages * per_page)


def remake_char_lists(conn: sqlite3.Connection, cancel: CancelToken = NEVER_CANCELLED) -> None:
    """Make the character lists again, in a transaction of their own: FTS5 writes the statistics
    they read back (its averages record) when the index's transaction commits."""
    lists = char_lists.make(conn, indexed_through(conn), cancel)
    with write_transaction(conn):
        char_lists.store(conn, lists)


# Segments other than a table's largest holding less than this share of its leaf pages are not
# worth merging: a search looks its terms up in each segment, and in a small one (the seed pages'
# beside a year's, imported in one batch) that is a page or two, while merging rewrites the whole
# index (a year: ~2 s).
_MERGE_FROM_SHARE = 0.1


def worth_merging(conn: sqlite3.Connection) -> bool:
    """Whether a table's segments besides its largest hold ``_MERGE_FROM_SHARE`` of it or more
    (sizes in the leaf pages listed in its ``_idx`` table, one row for each leaf that starts a
    term)."""
    for table, _ in _TOKENIZERS:
        sizes = [row[0] for row in conn.execute(f"SELECT count(*) FROM {table}_idx GROUP BY segid")]
        if len(sizes) > 1 and sum(sizes) - max(sizes) >= _MERGE_FROM_SHARE * sum(sizes):
            return True
    return False


def has_grown(conn: sqlite3.Connection) -> bool:
    """Whether the archive has grown enough since the indexes were last merged to merge them."""
    return _merge_due_at(conn, conn.execute("SELECT count(*) FROM articles").fetchone()[0])


def optimize_if_grown(conn: sqlite3.Connection, cancel: CancelToken = NEVER_CANCELLED) -> bool:
    """Merge the indexes (unless they are nearly one segment each, see ``worth_merging``) and
    remake the character lists, when the archive has grown enough since the last merge (each in
    its own transaction). Returns whether it was time to.

    The lists are made from the index as it was committed, on a reader's connection in a thread,
    while this one merges: the merge leaves the other processor idle, and making them after it
    added two thirds of its time (five years: 4 s beside a 6 s merge)."""
    if not has_grown(conn):
        return False
    from concurrent.futures import ThreadPoolExecutor  # here: most imports never merge

    path = conn.execute("PRAGMA database_list").fetchone()[2]
    through = indexed_through(conn)

    def make_lists() -> char_lists.Lists | None:
        try:
            reader = open_connection(path, read_only=True)
        except (ArchiveError, sqlite3.Error, OSError):  # no second connection: FTS5 ranks them all
            return None
        try:
            return char_lists.make(reader, through, cancel)
        except (Cancelled, sqlite3.Error):
            return None
        finally:
            reader.close()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="char-lists") as thread:
        lists = thread.submit(make_lists)
        try:
            with write_transaction(conn):
                if worth_merging(conn):
                    optimize(conn, cancel)
                else:  # as good as merged (see _MERGE_FROM_SHARE)
                    cancel.raise_if_cancelled()
                    _record_merged(conn)
        finally:
            made = lists.result()
    if made is not None:  # else the lists made before stay right, and slower (fewer listed)
        with write_transaction(conn):
            char_lists.store(conn, made)
    return True


def _record_merged(conn: sqlite3.Connection) -> None:
    """The archive's size now, which the next merge is due from (``_merge_due_at``)."""
    set_meta(conn, OPTIMIZED_AT_KEY, str(conn.execute("SELECT count(*) FROM articles").fetchone()[0]))


def optimize(conn: sqlite3.Connection, cancel: CancelToken = NEVER_CANCELLED) -> None:
    """Merge each index into one segment (inside the caller's transaction). A cancel rolls the
    merge back with the transaction; the index stays valid either way."""
    cancel.raise_if_cancelled()
    with interruptible(conn, cancel):
        for table, _ in _TOKENIZERS:
            conn.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
    _record_merged(conn)


def integrity_check(conn: sqlite3.Connection) -> str | None:
    """None when the FTS indexes are consistent, else SQLite's message."""
    for table, _ in _TOKENIZERS:
        try:
            conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 0)")
        except sqlite3.DatabaseError as exc:
            return f"{table}: {exc}"
    return None
