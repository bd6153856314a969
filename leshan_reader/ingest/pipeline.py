"""Importing page files into the archive.

Parsing a file is a pure step (``prepare_page``); writing it is atomic (a savepoint, committed
with a group of files), so an interrupted import keeps every file of the groups it committed and
nothing of a file half-written; a re-run adds the rest. A file that cannot be imported is named
with the reason and skipped; the rest proceed.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import sqlite3
from collections import deque
import multiprocessing
import os
import sys
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, NamedTuple

from leshan_reader.core.dates import PartialDate
from leshan_reader.core.errors import ArchiveError, Cancelled
from leshan_reader.core.progress import (
    NEVER_CANCELLED, OPTIMIZING_INDEX, CancelToken, ProgressCallback, no_progress,
)
from leshan_reader.ingest.decode import MAX_FILE_BYTES, NotText, decode_bytes
from leshan_reader.ingest.masthead import Masthead, find_masthead
from leshan_reader.ingest.metadata import (
    MANIFEST_NAMES,
    ManifestEntry,
    ManifestFinder,
    metadata_from_name,
)
from leshan_reader.ingest.quality import quality_notes
from leshan_reader.ingest.reflow import paragraphs_text, reflow
from leshan_reader.glossary import GlossaryDraft, extract_entries
from leshan_reader.ingest.structure import ArticleDraft, split_articles
from leshan_reader.store import article_keys, fts
from leshan_reader.store.glossary_rows import insert_glossary
from leshan_reader.store.db import GroupedWrites, fewer_checkpoints, write_transaction

PAGE_SUFFIXES = (".txt", ".text")
IMPORTED, UNCHANGED, REPLACED, REJECTED = "imported", "unchanged", "replaced", "rejected"


@dataclass
class SourceFile:
    path: Path
    source: str  # the name recorded in the archive: the path relative to the folder imported
    root: Path
    manifest_entry: ManifestEntry | None = None  # what a manifest says of this file
    manifest_name: str = ""

    @functools.cached_property
    def resolved_path(self) -> str:
        """The absolute path, links resolved; worked out by the process that reads the file (it
        travels back with it), as resolving costs the writer 0.3 ms a file."""
        return str(self.path.resolve())


@dataclass
class PageMetadata:
    date: PartialDate | None
    page: int | None
    date_source: str | None
    warnings: list[str] = field(default_factory=list)


@dataclass
class PreparedPage:
    source: SourceFile
    data: bytes
    sha256: str
    encoding: str
    layout: str  # JSON: each paragraph's kind and emphasis, as stored (its text is in ``text``)
    text: str
    masthead: Masthead | None
    metadata: PageMetadata
    articles: list[ArticleDraft]
    notes: list[dict]
    index_tokens: list[fts.IndexTokens]  # one per article, computed off the writer's thread
    glossary: list[GlossaryDraft] = field(default_factory=list)


class StoredArticle(NamedTuple):
    """An article's row as the writer stores it (see ``StoredPage``)."""

    kind: str
    title: str
    kicker: str
    deck: str
    byline: str
    text: bytes  # UTF-8
    paragraph_start: int
    paragraph_end: int
    continues_to: int | None
    continued_from: int | None


class StoredPage(NamedTuple):
    """A parsed page as the writer stores it, in plain values, made where the page was parsed.

    It crosses from a parsing process to the writer pickled, and the writer only stores it: the
    long texts are UTF-8 bytes, as SQLite keeps them (the inserts read them with ``CAST(? AS
    TEXT)``). Unpickling a parsed page's objects took the writer's process 0.30 ms, mostly
    decoding texts that sqlite3 then encoded again; this takes 0.08-0.10 ms (as the pool sends
    it, 300 pages of a year)."""

    source: SourceFile
    sha256: str
    encoding: str
    raw: bytes
    text: bytes  # UTF-8
    chars: int  # characters in ``text``
    layout: str
    page: int | None
    date_label: str | None
    date_precision: str | None
    date_start: str | None
    date_end: str | None
    date_source: str | None
    pages_in_issue: int | None
    issue_number: int | None
    masthead: str | None  # JSON
    notes: str  # JSON
    warnings: list[str]
    articles: tuple[StoredArticle, ...]
    index_tokens: list[fts.IndexTokens]
    glossary: list[GlossaryDraft]


def stored_page(prepared: PreparedPage) -> StoredPage:
    meta, masthead, date = prepared.metadata, prepared.masthead, prepared.metadata.date
    fields = masthead.fields if masthead else {}
    masthead_json = None
    if masthead is not None:
        masthead_json = json.dumps({"date": masthead.date.label if masthead.date else None, **fields},
                                   ensure_ascii=False)
    notes = prepared.notes + [{"kind": "import_warning", "message": w} for w in meta.warnings]
    return StoredPage(
        source=prepared.source, sha256=prepared.sha256, encoding=prepared.encoding,
        raw=prepared.data, text=prepared.text.encode(), chars=len(prepared.text), layout=prepared.layout,
        page=meta.page, date_label=date.label if date else None,
        date_precision=date.precision if date else None, date_start=date.start if date else None,
        date_end=date.end if date else None, date_source=meta.date_source,
        pages_in_issue=fields.get("pages_in_issue"), issue_number=fields.get("issue_number"),
        masthead=masthead_json, notes=json.dumps(notes, ensure_ascii=False), warnings=list(meta.warnings),
        articles=tuple(
            StoredArticle(a.kind, a.title, a.kicker, a.deck, a.byline, a.text.encode(), a.paragraph_start,
                          a.paragraph_end, a.continues_to, a.continued_from)
            for a in prepared.articles),
        index_tokens=prepared.index_tokens, glossary=prepared.glossary,
    )


@dataclass
class FileOutcome:
    source: str
    path: str
    outcome: str
    reason: str = ""
    page_id: int | None = None
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None, [])}


@dataclass
class ImportReport:
    files: list[FileOutcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # manifest problems, missing paths
    cancelled: bool = False

    def count(self, outcome: str) -> int:
        return sum(1 for f in self.files if f.outcome == outcome)

    @property
    def ok(self) -> bool:
        return self.count(REJECTED) == 0 and not self.cancelled

    def summary(self) -> str:
        parts = [f"{self.count(o)} {o}" for o in (IMPORTED, UNCHANGED, REPLACED, REJECTED)]
        line = "Import: " + ", ".join(parts)
        if self.cancelled:
            line += " (cancelled: the remaining files were not imported)"
        return line

    def to_json(self) -> dict:
        return {
            "imported": self.count(IMPORTED),
            "unchanged": self.count(UNCHANGED),
            "replaced": self.count(REPLACED),
            "rejected": self.count(REJECTED),
            "cancelled": self.cancelled,
            "files": [f.to_json() for f in self.files],
            "problems": self.problems,
        }


# --- finding files --------------------------------------------------------------------------

def collect_files(paths: list[Path], report: ImportReport) -> list[SourceFile]:
    """Files named on the command line, and page files (``*.txt``) found in folders, recursively."""
    found: list[SourceFile] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.extend(SourceFile(file, "/".join(parts), path)
                         for parts, file in _page_files_in(path, report))
        elif path.is_file():
            found.append(SourceFile(path, path.name, path.parent))
        else:
            report.problems.append(f"{given}: no such file or folder")
    return found


# Paths sort as pathlib sorts them (part by part, ignoring case on Windows): the order files are
# imported in is the archive's order for equal scores.
_sort_part = str.lower if os.name == "nt" else str


def _page_files_in(folder: Path, report: ImportReport) -> list[tuple[list[str], Path]]:
    """The page files under ``folder`` (hidden files and folders left out, links to folders not
    followed), as (parts of the path relative to it, path), sorted. With ``os.scandir``, which
    tells a file from a folder without a system call per file (a year's folder: ``Path.rglob``
    and a ``stat`` per file 33 ms, this 11 ms), and which reports a folder it cannot read where
    ``rglob`` skipped it in silence."""
    found: list[tuple[list[str], Path]] = []
    folders = [(folder, [])]
    while folders:
        directory, parts = folders.pop()
        try:
            with os.scandir(directory) as entries:
                listed = list(entries)
        except OSError as exc:
            report.problems.append(f"{directory}: the folder cannot be read ({exc.strerror or exc})")
            continue
        for entry in listed:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                if entry.is_dir() and not entry.is_symlink():
                    folders.append((Path(entry.path), [*parts, name]))
                elif (entry.is_file() and os.path.splitext(name)[1].lower() in PAGE_SUFFIXES
                      and name not in MANIFEST_NAMES):
                    found.append(([*parts, name], Path(entry.path)))
            except OSError:  # vanished meanwhile: not there to import
                continue
    found.sort(key=lambda item: [_sort_part(part) for part in item[0]])
    return found


# --- preparing one page (pure apart from reading the manifest) ------------------------------

def resolve_metadata(source: SourceFile, masthead: Masthead | None) -> PageMetadata:
    """Date and page: the manifest first, then the file name, then the masthead."""
    warnings: list[str] = []
    date = page = None
    date_source = None
    entry = source.manifest_entry
    if entry is not None:
        date, page = entry.date, entry.page
        if date is not None:
            date_source = f"manifest ({source.manifest_name}): {entry.date_source}"
    named = metadata_from_name(source.source)
    if named is not None:
        if named.problem:
            warnings.append(named.problem)
        if date is None and named.date is not None:
            date, date_source = named.date, "file name"
        if page is None:
            page = named.page
    if masthead is not None:
        warnings.extend(masthead.warnings)
        if date is None and masthead.date is not None:
            date, date_source = masthead.date, "masthead"
        elif date is not None and masthead.date is not None and masthead.date != date:
            warnings.append(
                f"the masthead prints {masthead.date.label}, but the page is filed under {date.label}"
            )
    if date is None:
        warnings.append("no date found (manifest, file name or masthead): imported as undated")
    return PageMetadata(date, page, date_source, warnings)


def prepare_page(source: SourceFile, data: bytes, sha256: str | None = None) -> PreparedPage:
    """Parse a page file's bytes (``sha256``: their hash, when the caller has it already)."""
    decoded = decode_bytes(data)
    paragraphs = reflow(decoded.text)
    masthead = find_masthead(paragraphs)
    metadata = resolve_metadata(source, masthead)
    metadata.warnings[:0] = decoded.warnings
    articles = split_articles(paragraphs, masthead)
    return PreparedPage(
        source=source,
        data=data,
        sha256=sha256 or hashlib.sha256(data).hexdigest(),
        encoding=decoded.encoding,
        layout=json.dumps([p.layout_json() for p in paragraphs], ensure_ascii=False),
        text=paragraphs_text(paragraphs),
        masthead=masthead,
        metadata=metadata,
        articles=articles,
        notes=quality_notes(paragraphs),
        index_tokens=[fts.index_tokens(a.title, a.text) for a in articles],
        glossary=extract_entries(paragraphs),
    )


# --- writing ------------------------------------------------------------------------------

def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _issue_id(conn: sqlite3.Connection, page: StoredPage) -> int:
    row = conn.execute("SELECT id FROM issues WHERE ifnull(date, '') = ifnull(?, '')", [page.date_label]).fetchone()
    if row:
        conn.execute(
            "UPDATE issues SET pages_in_issue = coalesce(pages_in_issue, ?), "
            "issue_number = coalesce(issue_number, ?) WHERE id = ?",
            [page.pages_in_issue, page.issue_number, row[0]],
        )
        return row[0]
    cursor = conn.execute(
        "INSERT INTO issues (date, date_precision, date_start, date_end, pages_in_issue, issue_number) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [page.date_label, page.date_precision, page.date_start, page.date_end, page.pages_in_issue,
         page.issue_number],
    )
    return cursor.lastrowid


def _delete_page(conn: sqlite3.Connection, page_id: int) -> None:
    articles = conn.execute("SELECT id, title, text FROM articles WHERE page_id = ?", [page_id]).fetchall()
    fts.unindex_articles(conn, articles)
    issue_id = conn.execute("SELECT issue_id FROM pages WHERE id = ?", [page_id]).fetchone()[0]
    conn.execute("DELETE FROM pages WHERE id = ?", [page_id])
    conn.execute(  # its issue too, when it was the issue's last page
        "DELETE FROM issues WHERE id = ? AND NOT EXISTS (SELECT 1 FROM pages WHERE issue_id = ?)",
        [issue_id, issue_id])


def _insert_page(conn: sqlite3.Connection, page: StoredPage, imported_at: str, to_index: list) -> int:
    cursor = conn.execute(
        "INSERT INTO pages (issue_id, page, source, source_path, sha256, size, encoding, raw, text, "
        "paragraphs, date_source, masthead, notes, imported_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), ?, ?, ?, ?, ?)",
        [_issue_id(conn, page), page.page, page.source.source, page.source.resolved_path, page.sha256,
         len(page.raw), page.encoding, page.raw, page.text, page.layout, page.date_source, page.masthead,
         page.notes, imported_at],
    )
    page_id = cursor.lastrowid
    article_rows = []
    for seq, (article, tokens) in enumerate(zip(page.articles, page.index_tokens)):
        cursor = conn.execute(
            "INSERT INTO articles (page_id, seq, kind, title, kicker, deck, byline, text, "
            "paragraph_start, paragraph_end, continues_to, continued_from) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), ?, ?, ?, ?)",
            [page_id, seq, *article],
        )
        to_index.append((cursor.lastrowid, tokens))
        article_rows.append((cursor.lastrowid, article.title, article.paragraph_start, article.paragraph_end))
    article_keys.add_page(conn, page_id)
    insert_glossary(conn, page_id, page.glossary, article_rows, page.date_label)
    conn.execute(
        "INSERT INTO page_sources (page_id, source, source_path, first_seen) VALUES (?, ?, ?, ?)",
        [page_id, page.source.source, page.source.resolved_path, imported_at],
    )
    return page_id


def _log(conn: sqlite3.Connection, run_started: str, outcome: FileOutcome) -> None:
    conn.execute(
        "INSERT INTO import_log (run_started, at, source, source_path, outcome, page_id, reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [run_started, _now(), outcome.source, outcome.path, outcome.outcome, outcome.page_id,
         outcome.reason or None],
    )


def _same_slot_warning(conn: sqlite3.Connection, page: StoredPage, page_id: int) -> str | None:
    if page.date_label is None or page.page is None:
        return None
    # Through the page's own issue and the (issue, page) index: a match on the issue's date
    # scanned every page, 6.6 ms a file at 5 years, and more with every year imported.
    row = conn.execute(
        "SELECT other.source FROM pages p JOIN pages other "
        "ON other.issue_id = p.issue_id AND other.page = p.page "
        "WHERE p.id = ? AND other.id != ? ORDER BY other.id LIMIT 1",
        [page_id, page_id],
    ).fetchone()
    if row:
        return f"{row[0]} also claims {page.date_label} page {page.page}: both are kept"
    return None


@dataclass
class LoadedFile:
    """A file read and parsed (off the writer's thread), ready to be written or reported."""

    source: SourceFile
    sha256: str = ""
    page: StoredPage | None = None
    reason: str = ""  # why it cannot be imported


def load_file(source: SourceFile, known_sha256: frozenset[str] = frozenset()) -> LoadedFile:
    """Read, hash and parse one file; files whose bytes the archive already holds are not parsed."""
    loaded = LoadedFile(source)
    source.resolved_path  # noqa: B018 (computed here, off the writer's thread)
    try:
        size = source.path.stat().st_size
        if size > MAX_FILE_BYTES:
            loaded.reason = (f"the file is {size / 2**20:.0f} MB; a page file is at most "
                             f"{MAX_FILE_BYTES // 2**20} MB")
            return loaded
        data = source.path.read_bytes()
    except OSError as exc:
        loaded.reason = f"cannot be read: {exc.strerror or exc}"
        return loaded
    loaded.sha256 = hashlib.sha256(data).hexdigest()
    if loaded.sha256 in known_sha256:
        return loaded
    try:
        loaded.page = stored_page(prepare_page(source, data, loaded.sha256))
    except NotText as exc:
        loaded.reason = str(exc)
    return loaded


def write_file(
    conn: sqlite3.Connection, loaded: LoadedFile, run_started: str, to_index: list,
    writes: GroupedWrites | None = None,
) -> FileOutcome:
    """Write one loaded file atomically (in its own transaction, or as a part of ``writes``) and
    log the outcome; its articles' index tokens are appended to ``to_index`` for the next
    ``flush_index``."""
    source = loaded.source
    outcome = FileOutcome(source.source, str(source.path), REJECTED, reason=loaded.reason)
    with (writes.part() if writes else write_transaction(conn)):
        if loaded.reason:
            _log(conn, run_started, outcome)
            return outcome
        existing = conn.execute(
            "SELECT id, source FROM pages WHERE sha256 = ? ORDER BY id LIMIT 1", [loaded.sha256]
        ).fetchone()
        if existing:
            outcome.outcome, outcome.page_id = UNCHANGED, existing["id"]
            if existing["source"] != source.source:
                outcome.warnings.append(
                    f"same bytes as {existing['source']}: recorded as another name of that page"
                )
            conn.execute(
                "INSERT OR IGNORE INTO page_sources (page_id, source, source_path, first_seen) "
                "VALUES (?, ?, ?, ?)",
                [existing["id"], source.source, source.resolved_path, run_started],
            )
            _log(conn, run_started, outcome)
            return outcome
        page = loaded.page
        if page is None:  # known bytes that vanished from the archive meanwhile: parse now
            page = load_file(source).page
        outcome.warnings.extend(page.warnings)
        previous = conn.execute(
            "SELECT id, source_path FROM pages WHERE source = ?", [source.source]).fetchone()
        if previous and previous["source_path"] != source.resolved_path:
            # Another file under the same relative name (a second scanning campaign's folder):
            # a different page, never a replacement. It gets a longer, unique name.
            unique = _unique_source_name(conn, source)
            outcome.warnings.append(f"another file is already named {source.source}: kept as {unique}")
            source.source = page.source.source = outcome.source = unique
            previous = None
        if previous:
            _delete_page(conn, previous["id"])
        outcome.outcome = REPLACED if previous else IMPORTED
        added: list = []
        outcome.page_id = _insert_page(conn, page, run_started, added)
        if (warning := _same_slot_warning(conn, page, outcome.page_id)):
            outcome.warnings.append(warning)
        _log(conn, run_started, outcome)
    to_index.extend(added)  # only once the file is written whole
    return outcome


def _resume_merging(conn: sqlite3.Connection) -> None:
    try:
        with write_transaction(conn):
            fts.resume_merging(conn)
    except ArchiveError:  # the disk is full: opening the archive next time resumes it
        pass


def _unique_source_name(conn: sqlite3.Connection, source: SourceFile) -> str:
    candidates = [f"{source.root.name}/{source.source}", source.resolved_path]
    for candidate in candidates:
        if conn.execute("SELECT 1 FROM pages WHERE source = ?", [candidate]).fetchone() is None:
            return candidate
    return f"{candidates[-1]}#{conn.execute('SELECT count(*) FROM pages').fetchone()[0]}"


def flush_index(conn: sqlite3.Connection, to_index: list) -> None:
    """Index the articles written since the last flush, in one transaction."""
    with write_transaction(conn):
        fts.catch_up(conn, to_index)
    to_index.clear()


# FTS5 pays for every commit (it writes a segment and merges), so articles are indexed in
# batches of about this many characters (measured on a year of pages: 400,000 -> 1.5 M with the
# larger buffer of migration 0003, indexing 5.0-6.3 -> 3.9-4.4 ms per page).
_INDEX_BATCH_CHARS = 1_500_000
# An import of page files up to this size (about a year of pages, 12 M characters) indexes its
# articles in one transaction after its files are written: FTS5 writes each table as one segment,
# which needs no merge afterwards (merging a year's batches took ~2 s). A year's import, four
# alternating runs: 9.0/11.7/10.0/7.1 -> 9.5/7.7/6.9/6.6 s, all processes' CPU 12.0-19.3 ->
# 9.9-14.6 s. The price is memory: the tokens wait in this process, then in FTS5's buffer (peak
# 150 -> 285 MB for a year), hence the limit; larger imports index in batches as they go and merge
# at the end.
_ONE_BATCH_BYTES = 36 * 2**20
# The first batches are smaller, doubling up to that: until the writer indexes, it writes pages
# faster than they are parsed and waits (a year's import waited ~1 s for its first batch).
_FIRST_INDEX_BATCH_CHARS = _INDEX_BATCH_CHARS // 8
# Files are committed in groups of this many (each file whole or absent, see GroupedWrites): a
# commit cost the writer ~1.2 ms, and a year's import is 1,460 files (four alternating runs of a
# year: 9.8-12.3 -> 9.4-11.9 s). A kill loses at most the group being written.
_FILES_PER_COMMIT = 32
# Files parsed ahead of the writer: enough to keep the parsers busy while the writer indexes a
# batch (about 200 pages; with 16 the parsers idled through every batch: 0.50 -> 0.60 M chars/s).
_READ_AHEAD = 256
# Files a parsing process takes at a time: each task and each result is a message between the
# processes, which wakes threads on both sides (the pool's in the writer's process: 1.0-1.5 s of
# CPU a year with one file a task). A year's import, alternating runs at full-speed checks:
# one file a task 8.1-8.3 s, eight 6.9-7.7 s, 32 6.7-7.0 s; five pairs at mixed speeds, one
# file vs eight: 8.3-12.5 vs 8.1-9.7 s, the writer's other threads 1.0-1.5 -> 0.5-0.6 s.
_FILES_PER_TASK = 32
# Below this many files a worker process costs more to start than it saves.
_PROCESS_POOL_MIN_FILES = 64


def _exit_with_parent() -> None:
    """Runs in the worker process: end it when the importing process ends, even if that was
    killed (a pool worker otherwise waits forever on a queue whose other end it holds itself)."""
    import threading
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


# The archive's page hashes, given to each parsing process once when it starts: as an argument
# of every file's task it was pickled again for each file (7,300 hashes at 5 years: 0.5 MB).
_known_in_worker: frozenset[str] = frozenset()


def _lower_priority() -> None:
    """The writer is the import's bottleneck; parsing processes that yield to it let it have a
    core whenever it can run (a year's import, three alternating runs: 9.0-9.2 -> 8.1-8.7 s)."""
    try:
        if sys.platform == "win32":
            import ctypes

            below_normal_priority_class = 0x4000
            kernel32 = ctypes.windll.kernel32
            kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), below_normal_priority_class)
        else:
            os.nice(10)
    except (OSError, AttributeError):  # not allowed here: parse at normal priority
        pass


def _start_parsing_process(known: frozenset[str]) -> None:
    global _known_in_worker
    _lower_priority()
    _known_in_worker = known
    _exit_with_parent()


def _ready() -> None:
    """A task that only starts a parsing process."""


def load_files(sources: list[SourceFile], known_sha256: frozenset[str] = frozenset()) -> list[LoadedFile]:
    return [load_file(source, known_sha256) for source in sources]


def _load_in_parsing_process(sources: list[SourceFile]) -> list[LoadedFile]:
    return load_files(sources, _known_in_worker)


class _Readers(NamedTuple):
    """Who reads and parses the files ahead of the writer."""

    pool: Executor
    submit: Callable[[list[SourceFile]], Future]  # of the files' LoadedFile, in order
    started: Callable[[], bool]  # whether the pool parses yet (the writer parses till then)


def _reader_pool(file_count: int, known: frozenset[str]) -> _Readers:
    """A pool that reads and parses files, and how to submit some to it.

    Parsing is pure Python and would hold the GIL the writer needs, so large imports parse in
    worker processes while this process writes. Parsing a page costs about twice what writing it
    does, so even on a two-core laptop two parsers beside the writer are faster than one
    (measured: 0.46 -> 0.55 M characters/s)."""
    if file_count >= _PROCESS_POOL_MIN_FILES:
        try:
            workers = max(1, min(4, os.cpu_count() or 1))
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_start_parsing_process, initargs=(known,))
            # A process is started for each task until there are enough: start them all now, so
            # that they load the parser (~0.3 s) while the importer looks files up in manifests
            # and, till one is ready, parses the first files itself.
            starts = [pool.submit(_ready) for _ in range(workers)]
            return _Readers(pool, lambda sources: pool.submit(_load_in_parsing_process, sources),
                            lambda: any(start.done() for start in starts))
        except (OSError, NotImplementedError):  # no process support (a sandbox): parse in a thread
            pass
    threads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-reader")
    return _Readers(threads, lambda sources: threads.submit(load_files, sources, known), lambda: True)


def _write_files(
    conn: sqlite3.Connection, files: list[SourceFile], known: frozenset[str], report: ImportReport,
    progress: ProgressCallback, cancel: CancelToken, readers: _Readers, one_batch: bool = False,
) -> None:
    """Read and parse the files ahead of the writer (with ``_reader_pool``'s pool, shut down
    here), write them in groups and index them in batches (``one_batch``: once, at the end; see
    _ONE_BATCH_BYTES); every file's outcome goes into ``report``."""
    run_started = _now()
    to_index: list = []
    unindexed_chars = 0
    writes = GroupedWrites(conn, _FILES_PER_COMMIT)
    pending: deque[tuple[Future, int]] = deque()  # each file's task and its place in the task
    next_file = 0  # the next file to parse
    batch_chars = float("inf") if one_batch else _FIRST_INDEX_BATCH_CHARS
    with readers.pool:
        try:
            for done in range(len(files)):
                if cancel.cancelled:
                    report.cancelled = True
                    for future, _ in pending:
                        future.cancel()
                    break
                progress(done, len(files), files[done].source)
                try:
                    if next_file == done and not readers.started():
                        loaded = load_file(files[done], known)
                        next_file += 1
                    else:
                        while next_file < len(files) and len(pending) < _READ_AHEAD:
                            task = files[next_file:next_file + _FILES_PER_TASK]
                            future = readers.submit(task)
                            pending.extend((future, place) for place in range(len(task)))
                            next_file += len(task)
                        if pending:
                            future, place = pending.popleft()
                            loaded = future.result()[place]
                        else:
                            loaded = load_file(files[done], known)
                except BrokenProcessPool:
                    # A parsing process died (killed, out of memory): parse the rest in this process.
                    pending.clear()
                    next_file = len(files)
                    loaded = load_file(files[done], known)
                report.files.append(write_file(conn, loaded, run_started, to_index, writes))
                unindexed_chars += loaded.page.chars if loaded.page else 0
                if writes.due() or unindexed_chars >= batch_chars:
                    writes.commit()
                if unindexed_chars >= batch_chars:
                    flush_index(conn, to_index)
                    unindexed_chars = 0
                    batch_chars = min(2 * batch_chars, _INDEX_BATCH_CHARS)
            else:
                progress(len(files), len(files), "")
        except BaseException:
            writes.commit()  # the files written whole so far, made searchable before going
            try:
                flush_index(conn, to_index)
            except (sqlite3.Error, ArchiveError):  # they are indexed on the next open then
                pass
            raise
        writes.commit()
    if to_index or fts.pending_count(conn):
        flush_index(conn, to_index)


def _total_bytes(files: list[SourceFile]) -> int:
    total = 0
    for source in files:
        try:
            total += source.path.stat().st_size
        except OSError:  # named when the file is read
            pass
    return total


def import_paths(
    conn: sqlite3.Connection,
    paths: list[Path],
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ImportReport:
    """Import files and folders: each file is written whole or not at all, committed in groups
    of _FILES_PER_COMMIT, so a kill keeps every group committed before it; files are read and
    parsed ahead of the writer."""
    report = ImportReport()
    files = collect_files(paths, report)
    known = frozenset(row[0] for row in conn.execute("SELECT sha256 FROM pages"))
    manifests = ManifestFinder()
    with fewer_checkpoints(conn):  # the writes and the merge (see fewer_checkpoints)
        readers = _reader_pool(len(files), known)
        paused = False
        try:
            for source in files:
                entry, manifest = manifests.entry_for(source.path, source.root)
                if entry is not None:
                    source.manifest_entry, source.manifest_name = entry, manifest.path.name
            large = len(files) >= _PROCESS_POOL_MIN_FILES
            if large and fts.will_grow_enough_to_optimize(conn, len(files)):
                with write_transaction(conn):  # the import ends with merging the whole index
                    fts.pause_merging(conn)  # (see fts.pause_merging)
                paused = True
            _write_files(conn, files, known, report, progress, cancel, readers,
                         one_batch=_total_bytes(files) <= _ONE_BATCH_BYTES)
        finally:
            readers.pool.shutdown(cancel_futures=True)  # done by _write_files unless it never ran
            if paused:
                _resume_merging(conn)
        if not report.cancelled and report.count(IMPORTED) + report.count(REPLACED):
            progress(len(files), len(files), OPTIMIZING_INDEX)
            try:
                fts.optimize_if_grown(conn, cancel)
            except Cancelled:  # every file is in and searchable; the merge runs with the next
                pass  # import
            except ArchiveError:
                report.problems.append(
                    "The search index could not be compacted (the disk is full or another program "
                    "is writing): every file was imported and searches are complete; compacting "
                    "runs again with the next import.")
    seen = set()
    for manifest in manifests.manifests():
        for problem in manifest.problems:
            if problem not in seen:
                seen.add(problem)
                report.problems.append(problem)
    return report
