"""The full-text index over articles: a contentless FTS5 table with one token per character.

Contentless keeps the index small (the text is stored once, in ``articles``). Removing a row then
needs the tokens it was indexed with; they are recomputed from the stored text with the same
folding, and the folding's signature is stored so that a new version re-indexes everything
instead of deleting with different tokens.
"""

from __future__ import annotations

import sqlite3
from typing import Iterable

from leshan_reader.core.progress import NEVER_CANCELLED, CancelToken, ProgressCallback, no_progress
from leshan_reader.store.db import get_meta, set_meta
from leshan_reader.text.normalize import fold_signature, index_tokens

SIGNATURE_KEY = "fts_fold_signature"


def index_article(conn: sqlite3.Connection, article_id: int, title: str, body: str) -> None:
    conn.execute(
        "INSERT INTO article_fts (rowid, title, body) VALUES (?, ?, ?)",
        [article_id, index_tokens(title), index_tokens(body)],
    )


def unindex_articles(conn: sqlite3.Connection, rows: Iterable[sqlite3.Row]) -> None:
    """Remove articles (rows with id, title, text) from the index."""
    conn.executemany(
        "INSERT INTO article_fts (article_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)",
        [(row["id"], index_tokens(row["title"]), index_tokens(row["text"])) for row in rows],
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
    conn.execute("INSERT INTO article_fts (article_fts) VALUES ('delete-all')")
    total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    done = 0
    for row in conn.execute("SELECT id, title, text FROM articles ORDER BY id"):
        cancel.raise_if_cancelled()
        index_article(conn, row["id"], row["title"], row["text"])
        done += 1
        if done % 500 == 0:
            progress(done, total, "re-indexing")
    mark_index_current(conn)
    progress(total, total, "re-indexing")
    return total


def integrity_check(conn: sqlite3.Connection) -> str | None:
    """None when the FTS index is consistent, else SQLite's message."""
    try:
        conn.execute("INSERT INTO article_fts (article_fts, rank) VALUES ('integrity-check', 0)")
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None
