"""Each article's search keys — its issue's dates, its page number, its place on the page — in a
narrow table of their own (migration 0005), which searches filter and sort by: an article's own
row holds its whole text, so reading it for every hit read a database page per hit.

The importer adds a page's keys with the page; they are deleted with their article.
"""

from __future__ import annotations

import sqlite3

# For a query over an FTS table aliased ``f``.
JOIN = " JOIN article_keys k ON k.article_id = f.rowid"
# The index of migration 0007 holds the keys in this order, expression for expression: keep the two
# the same, or a walk in date order sorts the whole archive.
DATE_ORDER = "k.date_start IS NULL, k.date_start, k.page IS NULL, k.page, k.page_id, k.seq"


def add_page(conn: sqlite3.Connection, page_id: int) -> None:
    conn.execute(
        "INSERT INTO article_keys (article_id, date_start, date_end, page, page_id, seq) "
        "SELECT a.id, i.date_start, i.date_end, p.page, a.page_id, a.seq FROM articles a "
        "JOIN pages p ON p.id = a.page_id JOIN issues i ON i.id = p.issue_id WHERE a.page_id = ?",
        [page_id],
    )


def problems(conn: sqlite3.Connection) -> list[str]:
    """What is wrong with the keys (nothing in a sound archive): missing, differing from the
    article's page and issue, or left over from deleted articles."""
    differing = conn.execute(
        "SELECT count(*) FROM articles a JOIN pages p ON p.id = a.page_id "
        "JOIN issues i ON i.id = p.issue_id LEFT JOIN article_keys k ON k.article_id = a.id "
        "WHERE k.article_id IS NULL OR k.date_start IS NOT i.date_start "
        "OR k.date_end IS NOT i.date_end OR k.page IS NOT p.page OR k.page_id != a.page_id "
        "OR k.seq != a.seq"
    ).fetchone()[0]
    orphans = conn.execute(
        "SELECT count(*) FROM article_keys k LEFT JOIN articles a ON a.id = k.article_id "
        "WHERE a.id IS NULL"
    ).fetchone()[0]
    found = []
    if differing:
        found.append(f"{differing} article(s) have missing or wrong search keys (date, page)")
    if orphans:
        found.append(f"{orphans} search key row(s) belong to no article")
    return found
