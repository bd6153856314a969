"""Reading the archive: issues, pages, articles. Plain SQL returning plain dicts."""

from __future__ import annotations

import json
import sqlite3

from leshan_reader.core.errors import NotFound
from leshan_reader.text import PARAGRAPH_SEPARATOR

_UNDATED_LAST = "CASE WHEN i.date IS NULL THEN 1 ELSE 0 END, i.date_start, i.date_precision DESC, i.date"


def list_issues(conn: sqlite3.Connection) -> list[dict]:
    """Issues sorted by date (undated last), each with its pages in page order."""
    rows = conn.execute(
        "SELECT i.id AS issue_id, i.date, i.date_precision, i.pages_in_issue, i.issue_number, "
        "p.id, p.page, p.source FROM issues i JOIN pages p ON p.issue_id = i.id "
        f"ORDER BY {_UNDATED_LAST}, p.page IS NULL, p.page, p.source"
    ).fetchall()
    issues: list[dict] = []
    by_id: dict[int, dict] = {}
    for row in rows:
        issue = by_id.get(row["issue_id"])
        if issue is None:
            issue = {
                "date": row["date"],
                "date_precision": row["date_precision"],
                "pages_in_issue": row["pages_in_issue"],
                "issue_number": row["issue_number"],
                "pages": [],
            }
            by_id[row["issue_id"]] = issue
            issues.append(issue)
        issue["pages"].append({"id": row["id"], "page": row["page"], "source": row["source"]})
    return issues


def page_ids_in_reading_order(conn: sqlite3.Connection) -> list[int]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT p.id FROM pages p JOIN issues i ON i.id = p.issue_id "
            f"ORDER BY {_UNDATED_LAST}, p.page IS NULL, p.page, p.source"
        )
    ]


def get_page(conn: sqlite3.Connection, page_id: int) -> dict:
    row = conn.execute(
        "SELECT p.*, i.date, i.date_precision, i.pages_in_issue, i.issue_number "
        "FROM pages p JOIN issues i ON i.id = p.issue_id WHERE p.id = ?",
        [page_id],
    ).fetchone()
    if row is None:
        raise NotFound(f"The archive has no page {page_id}. `leshan-reader issues` lists the pages.")
    articles = conn.execute(
        "SELECT id, seq, kind, title, kicker, deck, byline, text, paragraph_start, paragraph_end, "
        "continues_to, continued_from FROM articles WHERE page_id = ? ORDER BY seq",
        [page_id],
    ).fetchall()
    aliases = [
        r[0] for r in conn.execute(
            "SELECT source FROM page_sources WHERE page_id = ? AND source != ? ORDER BY id",
            [page_id, row["source"]],
        )
    ]
    data = bytes(row["raw"])
    return {
        "id": row["id"],
        "date": row["date"],
        "date_precision": row["date_precision"],
        "page": row["page"],
        "source": row["source"],
        "sha256": row["sha256"],
        "raw": data.decode(_python_codec(row["encoding"]), errors="replace"),
        "text": row["text"],
        "articles": [
            {key: article[key] for key in article.keys() if key not in ("seq",)}
            for article in articles
        ],
        "encoding": row["encoding"],
        "size": row["size"],
        "imported_at": row["imported_at"],
        "source_path": row["source_path"],
        "other_sources": aliases,
        "date_source": row["date_source"],
        "pages_in_issue": row["pages_in_issue"],
        "issue_number": row["issue_number"],
        "masthead": json.loads(row["masthead"]) if row["masthead"] else None,
        "paragraphs": paragraphs_from_layout(row["text"], json.loads(row["paragraphs"])),
        "notes": json.loads(row["notes"]),
    }


def paragraphs_from_layout(text: str, layout: list[dict]) -> list[dict]:
    """Paragraphs as JSON: the reading text split again, with each paragraph's stored layout."""
    return [{"text": t, **l} for t, l in zip(text.split(PARAGRAPH_SEPARATOR), layout)]


def _python_codec(encoding: str) -> str:
    # utf-8-sig strips the BOM; the other BOM encodings are stored with their BOM in the bytes.
    return {"utf-16-le": "utf-16", "utf-16-be": "utf-16", "utf-32-le": "utf-32",
            "utf-32-be": "utf-32"}.get(encoding, encoding)


def raw_bytes(conn: sqlite3.Connection, page_id: int) -> bytes:
    row = conn.execute("SELECT raw FROM pages WHERE id = ?", [page_id]).fetchone()
    if row is None:
        raise NotFound(f"The archive has no page {page_id}.")
    return bytes(row[0])


def archive_counts(conn: sqlite3.Connection) -> dict:
    """Pages and articles, counted on their indexes: quick at any size (the window's status bar
    shows them after every start and import)."""
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    return {"pages": one("SELECT count(*) FROM pages"), "articles": one("SELECT count(*) FROM articles")}


def archive_stats(conn: sqlite3.Connection) -> dict:
    """Everything the About box and ``check`` report; the character count reads every page's
    text (0.56 s at five years)."""
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "issues": one("SELECT count(*) FROM issues"),
        **archive_counts(conn),
        "characters": one("SELECT coalesce(sum(length(text)), 0) FROM pages"),
        "glossary_entries": one("SELECT count(*) FROM glossary"),
        "first_date": one("SELECT min(date_start) FROM issues"),
        "last_date": one("SELECT max(date_end) FROM issues"),
    }
