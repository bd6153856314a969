"""The one facade over the archive that both the CLI and the GUI call.

A ``Library`` owns one SQLite connection; open one per thread. Nothing here imports Qt.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from leshan_reader.core import paths
from leshan_reader.core.errors import ArchiveError
from leshan_reader.core.progress import NEVER_CANCELLED, CancelToken, ProgressCallback, no_progress
from leshan_reader.core.resources import seeds_dir
from leshan_reader.search.engine import SearchOptions, SearchResult, search
from leshan_reader.glossary import Entry, GlossaryMatcher
from leshan_reader.glossary.aliases import QUOTES
from leshan_reader.store import fts, queries
from leshan_reader.store.glossary_rows import list_glossary
from leshan_reader.store.page_labels import PageLabels
from leshan_reader.store.db import is_read_only, open_connection, write_transaction

if TYPE_CHECKING:
    from leshan_reader.ingest.pipeline import ImportReport

_NO_QUOTES = str.maketrans("", "", QUOTES)


class Library:
    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self.was_new = False
        self._glossary_cache: tuple[tuple, list[dict], GlossaryMatcher] | None = None
        self._helper: sqlite3.Connection | None = None
        self._page_labels = PageLabels()  # remembered for this connection's searches

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
            or fts.pending_count(self.conn) > 0 or fts.merging_paused(self.conn)

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
        if self._helper is not None:
            self._helper.close()
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
            fts.remake_char_lists(self.conn, cancel)
        elif fts.pending_count(self.conn):  # an import was interrupted after writing some files
            with write_transaction(self.conn):
                fts.catch_up(self.conn)
        if fts.merging_paused(self.conn):  # an import was interrupted (see fts.pause_merging)
            with write_transaction(self.conn):
                fts.resume_merging(self.conn)

    # --- archive ---------------------------------------------------------------------------

    def import_paths(
        self,
        paths_: list[Path | str],
        progress: ProgressCallback = no_progress,
        cancel: CancelToken = NEVER_CANCELLED,
    ) -> ImportReport:
        # Imported here: reading the archive (start-up, search) never needs the importer's modules.
        from leshan_reader.ingest.pipeline import import_paths

        return import_paths(self.conn, [Path(p) for p in paths_], progress, cancel)

    def issues(self) -> list[dict]:
        return queries.list_issues(self.conn)

    def page(self, page_id: int) -> dict:
        """A page with its articles; each article lists the glossary terms in its text
        (``terms``: term, start, end, entry_ids; offsets into the article's ``text``)."""
        page = queries.get_page(self.conn, page_id)
        entries, matcher = self._glossary()
        appendix_articles = {e["article_id"] for e in entries if e["page_id"] == page_id}
        for article in page["articles"]:
            found = [] if article["id"] in appendix_articles else matcher.find(article["text"])
            article["terms"] = [
                {"term": m.term, "start": m.start, "end": m.end, "entry_ids": list(m.entry_ids)}
                for m in found
            ]
        return page

    def page_order(self) -> list[int]:
        return queries.page_ids_in_reading_order(self.conn)

    def stats(self) -> dict:
        return queries.archive_stats(self.conn)

    def counts(self) -> dict:
        """Pages and articles only: quick, unlike ``stats``."""
        return queries.archive_counts(self.conn)

    # --- glossary ------------------------------------------------------------------------------

    def _glossary(self) -> tuple[list[dict], GlossaryMatcher]:
        # Rebuilt only when an import changed the glossary (the key is cheap to read).
        key = tuple(self.conn.execute("SELECT count(*), max(id), sum(id) FROM glossary").fetchone())
        if self._glossary_cache is None or self._glossary_cache[0] != key:
            entries = list_glossary(self.conn)
            matcher = GlossaryMatcher(
                [Entry(e["id"], e["term"], tuple(e["aliases"])) for e in entries]
            )
            self._glossary_cache = (key, entries, matcher)
        return self._glossary_cache[1], self._glossary_cache[2]

    def glossary(self, text: str | None = None) -> list[dict]:
        """All entries (newest source first), or those matching ``text``, best first: exact term
        or alias, then the longest term that starts ``text``, then terms containing it."""
        entries, matcher = self._glossary()
        if text is None:
            return [dict(e) for e in entries]  # copies: callers may convert them for display
        by_id = {e["id"]: e for e in entries}
        return [dict(by_id[i]) for i in matcher.lookup(text)]

    def glossary_matcher(self) -> GlossaryMatcher:
        return self._glossary()[1]

    def term_pages(self, entry_id: int) -> list[dict]:
        """Pages where a glossary entry's term occurs (outside its own appendix), by date."""
        entries, matcher = self._glossary()
        entry = next((e for e in entries if e["id"] == entry_id), None)
        if entry is None:
            return []
        pages: dict[int, dict] = {}
        seen: set[int] = set()
        # Search finds candidate articles (quotes and script ignored); the matcher then counts
        # only occurrences that are this term, not part of a longer one.
        for form in [entry["term"], *entry["aliases"]]:
            phrase = form.translate(_NO_QUOTES)
            for hit in self.search(f'"{phrase}"', SearchOptions(order="date")).hits:
                if hit.article_id in seen or hit.article_id == entry["article_id"]:
                    continue
                seen.add(hit.article_id)
                text = self.conn.execute("SELECT text FROM articles WHERE id = ?", [hit.article_id]).fetchone()[0]
                count = sum(1 for m in matcher.find(text) if entry_id in m.entry_ids)
                if count:
                    row = pages.setdefault(hit.page_id, {
                        "page_id": hit.page_id, "date": hit.date, "date_precision": hit.date_precision,
                        "page": hit.page, "source": hit.source, "count": 0, "titles": []})
                    row["count"] += count
                    row["titles"].append(hit.title)
        return sorted(pages.values(), key=lambda r: (r["date"] or "", r["page"] or 0))

    # --- search ----------------------------------------------------------------------------

    def search(
        self, query: str, options: SearchOptions | None = None, cancel: CancelToken = NEVER_CANCELLED
    ) -> SearchResult:
        return search(self.conn, query, options, cancel, self._search_helper, self._page_labels)

    def _search_helper(self) -> sqlite3.Connection | None:
        """A second, read-only connection for searches that rank in two halves (the engine asks
        for it in large archives only); opened once."""
        if self._helper is None:
            try:
                self._helper = open_connection(self.path, read_only=True)
            except (ArchiveError, sqlite3.Error):  # searches then rank in one pass, as before
                return None
        return self._helper
