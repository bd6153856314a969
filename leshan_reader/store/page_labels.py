"""What a search hit shows of its page — the page number, the source file, the issue's date and
its precision — remembered by page id while the archive is unchanged.

A page of hits read these by joining each hit's article to its page and issue: two more tables
searched for every hit, and a page's row is wide (it holds the page's raw file), so each hit read a
database page of its own — 7% of a typical one-year search. Pages are few beside articles, and a
reader's searches keep returning the same ones.

What is remembered is trusted only while neither another connection (``PRAGMA data_version``) nor
this one (``total_changes``) has changed the archive: a page's id is used again by the next page
imported after the last one was removed. The caller reads the labels in the same read transaction
as the hits (``db.read_snapshot``), so both describe the same state of the archive.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Iterable

Label = tuple  # (page number, source, date, date precision)

_MOST_KEPT = 100_000  # page labels kept at most (~25 MB; thirty years of four pages a day is 44,000)
_LABELS_SQL = (
    "SELECT p.id, p.page, p.source, i.date, i.date_precision FROM pages p "
    "JOIN issues i ON i.id = p.issue_id"
)


class PageLabels:
    """The labels of one connection's pages; not shared between connections."""

    def __init__(self) -> None:
        self._version: tuple[int, int] | None = None
        self._labels: dict[int, Label] = {}

    def of(self, conn: sqlite3.Connection, page_ids: Iterable[int]) -> dict[int, Label]:
        """A mapping that holds the label of each of ``page_ids`` (pages that exist)."""
        page_ids = set(page_ids)
        if not page_ids:
            return self._labels
        version = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
        if version != self._version or len(self._labels) > _MOST_KEPT:
            self._labels.clear()
            self._version = version
        labels = self._labels
        missing = [page_id for page_id in page_ids if page_id not in labels]
        if missing:
            # One statement whatever the number of ids (json_each), so it is prepared once.
            rows = conn.execute(f"{_LABELS_SQL} WHERE p.id IN (SELECT value FROM json_each(?))",
                                [json.dumps(missing)])
            labels.update((row[0], tuple(row[1:])) for row in rows)
        return labels
