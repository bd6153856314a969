"""The one facade over the archive that both the CLI and the GUI call.

A ``Library`` owns one SQLite connection; open one per thread. Nothing here imports Qt.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from leshan_reader.core import paths
from leshan_reader.core.progress import NEVER_CANCELLED, CancelToken, ProgressCallback, no_progress
from leshan_reader.core.resources import seeds_dir
from leshan_reader.ingest.pipeline import ImportReport, import_paths
from leshan_reader.search.engine import SearchOptions, SearchResult, search
from leshan_reader.store import fts, queries
from leshan_reader.store.db import is_read_only, open_connection, write_transaction


class Library:
    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self.was_new = False

    @classmethod
    def open(
        cls,
        path: Path | str | None = None,
        *,
        read_only: bool = False,
        seed_if_new: bool = True,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken = NEVER_CANCELLED,
    ) -> "Library":
        """Open (or create) the archive. A new archive gets the bundled sample pages when
        ``seed_if_new``; an index built with an older folding is rebuilt."""
        library = cls.connect(path, read_only=read_only)
        try:
            library.maintain(seed_if_new=seed_if_new, progress=progress, cancel=cancel)
        except BaseException:
            library.close()
            raise
        return library

    @classmethod
    def connect(cls, path: Path | str | None = None, *, read_only: bool = False) -> "Library":
        """Open the archive without any maintenance (quick: the GUI does this on its thread and
        runs ``maintain`` on a worker)."""
        path = Path(path) if path else paths.default_archive_path()
        library = cls(path, open_connection(path, read_only=read_only))
        library.was_new = library.conn.execute("SELECT count(*) FROM import_log").fetchone()[0] == 0 \
            and library.conn.execute("SELECT count(*) FROM pages").fetchone()[0] == 0
        return library

    def needs_maintenance(self, seed_if_new: bool = True) -> bool:
        if self.read_only:
            return False
        return (seed_if_new and self.was_new) or not fts.index_is_current(self.conn) \
            or fts.pending_count(self.conn) > 0

    def maintain(
        self,
        *,
        seed_if_new: bool = True,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken = NEVER_CANCELLED,
    ) -> None:
        """Bring the index up to date (after an upgrade or an interrupted import) and give a new
        archive the bundled sample pages."""
        if self.read_only:
            return
        self._ensure_index_current(progress, cancel)
        if seed_if_new and self.was_new:
            self.import_paths([seeds_dir()], progress, cancel)
            self.was_new = False

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def read_only(self) -> bool:
        return is_read_only(self.conn)

    def _ensure_index_current(self, progress: ProgressCallback, cancel: CancelToken) -> None:
        if not fts.index_is_current(self.conn):
            with write_transaction(self.conn):
                fts.rebuild_index(self.conn, progress, cancel)
        elif fts.pending_count(self.conn):  # an import was interrupted after writing some files
            with write_transaction(self.conn):
                fts.catch_up(self.conn)

    # --- archive ---------------------------------------------------------------------------

    def import_paths(
        self,
        paths_: list[Path | str],
        progress: ProgressCallback = no_progress,
        cancel: CancelToken = NEVER_CANCELLED,
    ) -> ImportReport:
        return import_paths(self.conn, [Path(p) for p in paths_], progress, cancel)

    def issues(self) -> list[dict]:
        return queries.list_issues(self.conn)

    def page(self, page_id: int) -> dict:
        return queries.get_page(self.conn, page_id)

    def page_order(self) -> list[int]:
        return queries.page_ids_in_reading_order(self.conn)

    def stats(self) -> dict:
        return queries.archive_stats(self.conn)

    # --- search ----------------------------------------------------------------------------

    def search(
        self, query: str, options: SearchOptions | None = None, cancel: CancelToken = NEVER_CANCELLED
    ) -> SearchResult:
        return search(self.conn, query, options, cancel)
