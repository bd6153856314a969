"""Glossary rows: written with their page at import, read back newest first with their sources."""

from __future__ import annotations

import json
import sqlite3

from leshan_reader.glossary import GlossaryDraft, extract_entries, find_appendix
from leshan_reader.text.normalize import fold


def _report_title(article_rows: list[tuple], heading: int, date_label: str | None) -> str:
    """What the appendix belongs to: "2021年政府工作报告" from the nearest report headline above."""
    title = ""
    for _, article_title, start, _end in article_rows:
        if start is not None and start <= heading and "报告" in fold(article_title or ""):
            title = article_title
    title = title or "名词解释"
    if date_label and not title[:1].isdigit():
        title = f"{date_label[:4]}年{title}"
    return title


def insert_glossary(
    conn: sqlite3.Connection,
    page_id: int,
    drafts: list[GlossaryDraft],
    article_rows: list[tuple],  # (article id, title, paragraph start, paragraph end)
    date_label: str | None,
) -> None:
    if not drafts:
        return
    heading = min(d.paragraph for d in drafts) - 1
    appendix_article = next(
        (aid for aid, _, start, end in article_rows
         if start is not None and end is not None and start <= drafts[0].paragraph < end),
        None,
    )
    source_title = _report_title(article_rows, heading, date_label)
    conn.executemany(
        "INSERT INTO glossary (page_id, seq, term, aliases, definition, article_id, source_title) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(page_id, seq, d.term, json.dumps(d.aliases, ensure_ascii=False), d.definition,
          appendix_article, source_title) for seq, d in enumerate(drafts)],
    )


def extract_stored_pages(conn: sqlite3.Connection) -> None:
    """Extract the glossary of pages imported before glossaries were (a migration step)."""
    from leshan_reader.store.queries import paragraphs_from_layout

    pages = conn.execute(
        "SELECT p.id, p.text, p.paragraphs, i.date FROM pages p JOIN issues i ON i.id = p.issue_id "
        "WHERE (p.text LIKE '%名词%' OR p.text LIKE '%名詞%') AND p.id NOT IN (SELECT page_id FROM glossary)"
    ).fetchall()
    for page_id, text, layout, date in pages:
        paragraphs = paragraphs_from_layout(text, json.loads(layout))
        if find_appendix(paragraphs) is None:
            continue
        articles = conn.execute(
            "SELECT id, title, paragraph_start, paragraph_end FROM articles WHERE page_id = ? ORDER BY seq",
            [page_id],
        ).fetchall()
        insert_glossary(conn, page_id, extract_entries(paragraphs), [tuple(a) for a in articles], date)


def list_glossary(conn: sqlite3.Connection) -> list[dict]:
    """Every entry with its source page, newest source first, then in printed order."""
    rows = conn.execute(
        "SELECT g.id, g.term, g.aliases, g.definition, g.page_id, g.article_id, g.source_title, "
        "p.page, p.source, i.date, i.date_precision "
        "FROM glossary g JOIN pages p ON p.id = g.page_id JOIN issues i ON i.id = p.issue_id "
        "ORDER BY ifnull(i.date_start, '') DESC, g.page_id DESC, g.seq"
    ).fetchall()
    return [
        {
            "id": row[0],
            "term": row[1],
            "aliases": json.loads(row[2]),
            "definition": row[3],
            "page_id": row[4],
            "article_id": row[5],
            "source_title": row[6],
            "page": row[7],
            "source": row[8],
            "date": row[9],
            "date_precision": row[10],
        }
        for row in rows
    ]


