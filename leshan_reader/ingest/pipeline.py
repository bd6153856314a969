"""Importing page files into the archive.

Parsing a file is a pure step (``prepare_page``); writing it is one transaction per file, so an
interrupted import keeps every file it finished and nothing of the one it was writing. A file
that cannot be imported is named with the reason and skipped; the rest proceed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from leshan_reader.core.dates import PartialDate
from leshan_reader.core.errors import ArchiveError, Cancelled
from leshan_reader.core.progress import NEVER_CANCELLED, CancelToken, ProgressCallback, no_progress
from leshan_reader.ingest.decode import MAX_FILE_BYTES, NotText, decode_bytes
from leshan_reader.ingest.masthead import Masthead, find_masthead
from leshan_reader.ingest.metadata import MANIFEST_NAMES, ManifestFinder, metadata_from_name
from leshan_reader.ingest.quality import quality_notes
from leshan_reader.ingest.reflow import Paragraph, paragraphs_text, reflow
from leshan_reader.ingest.structure import ArticleDraft, split_articles
from leshan_reader.store import fts
from leshan_reader.store.db import write_transaction

PAGE_SUFFIXES = (".txt", ".text")
IMPORTED, UNCHANGED, REPLACED, REJECTED = "imported", "unchanged", "replaced", "rejected"


@dataclass
class SourceFile:
    path: Path
    source: str  # the name recorded in the archive: the path relative to the folder imported
    root: Path


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
    paragraphs: list[Paragraph]
    text: str
    masthead: Masthead | None
    metadata: PageMetadata
    articles: list[ArticleDraft]
    notes: list[dict]


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
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                if any(part.startswith(".") for part in relative.parts):
                    continue
                if child.is_file() and child.suffix.lower() in PAGE_SUFFIXES and child.name not in MANIFEST_NAMES:
                    found.append(SourceFile(child, relative.as_posix(), path))
        elif path.is_file():
            found.append(SourceFile(path, path.name, path.parent))
        else:
            report.problems.append(f"{given}: no such file or folder")
    return found


# --- preparing one page (pure apart from reading the manifest) ------------------------------

def resolve_metadata(
    source: SourceFile, masthead: Masthead | None, manifests: ManifestFinder
) -> PageMetadata:
    """Date and page: the manifest first, then the file name, then the masthead."""
    warnings: list[str] = []
    date = page = None
    date_source = None
    entry, manifest = manifests.entry_for(source.path, source.root)
    if entry is not None:
        date, page = entry.date, entry.page
        if date is not None:
            date_source = f"manifest ({manifest.path.name}): {entry.date_source}"
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


def prepare_page(source: SourceFile, data: bytes, manifests: ManifestFinder) -> PreparedPage:
    decoded = decode_bytes(data)
    paragraphs = reflow(decoded.text)
    masthead = find_masthead(paragraphs)
    metadata = resolve_metadata(source, masthead, manifests)
    metadata.warnings[:0] = decoded.warnings
    return PreparedPage(
        source=source,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=decoded.encoding,
        paragraphs=paragraphs,
        text=paragraphs_text(paragraphs),
        masthead=masthead,
        metadata=metadata,
        articles=split_articles(paragraphs, masthead),
        notes=quality_notes(paragraphs),
    )


# --- writing ------------------------------------------------------------------------------

def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _issue_id(conn: sqlite3.Connection, prepared: PreparedPage) -> int:
    date = prepared.metadata.date
    label = date.label if date else None
    row = conn.execute("SELECT id FROM issues WHERE ifnull(date, '') = ifnull(?, '')", [label]).fetchone()
    fields = prepared.masthead.fields if prepared.masthead else {}
    if row:
        conn.execute(
            "UPDATE issues SET pages_in_issue = coalesce(pages_in_issue, ?), "
            "issue_number = coalesce(issue_number, ?) WHERE id = ?",
            [fields.get("pages_in_issue"), fields.get("issue_number"), row[0]],
        )
        return row[0]
    cursor = conn.execute(
        "INSERT INTO issues (date, date_precision, date_start, date_end, pages_in_issue, issue_number) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            label,
            date.precision if date else None,
            date.start if date else None,
            date.end if date else None,
            fields.get("pages_in_issue"),
            fields.get("issue_number"),
        ],
    )
    return cursor.lastrowid


def _delete_page(conn: sqlite3.Connection, page_id: int) -> None:
    articles = conn.execute("SELECT id, title, text FROM articles WHERE page_id = ?", [page_id]).fetchall()
    fts.unindex_articles(conn, articles)
    conn.execute("DELETE FROM pages WHERE id = ?", [page_id])
    conn.execute("DELETE FROM issues WHERE id NOT IN (SELECT issue_id FROM pages)")


def _insert_page(conn: sqlite3.Connection, prepared: PreparedPage, imported_at: str) -> int:
    meta = prepared.metadata
    masthead = None
    if prepared.masthead is not None:
        masthead = json.dumps(
            {"date": prepared.masthead.date.label if prepared.masthead.date else None,
             **prepared.masthead.fields},
            ensure_ascii=False,
        )
    notes = prepared.notes + [{"kind": "import_warning", "message": w} for w in meta.warnings]
    cursor = conn.execute(
        "INSERT INTO pages (issue_id, page, source, source_path, sha256, size, encoding, raw, text, "
        "paragraphs, date_source, masthead, notes, imported_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            _issue_id(conn, prepared),
            meta.page,
            prepared.source.source,
            str(prepared.source.path.resolve()),
            prepared.sha256,
            len(prepared.data),
            prepared.encoding,
            prepared.data,
            prepared.text,
            json.dumps([p.to_json() for p in prepared.paragraphs], ensure_ascii=False),
            meta.date_source,
            masthead,
            json.dumps(notes, ensure_ascii=False),
            imported_at,
        ],
    )
    page_id = cursor.lastrowid
    for seq, article in enumerate(prepared.articles):
        cursor = conn.execute(
            "INSERT INTO articles (page_id, seq, kind, title, kicker, deck, byline, text, "
            "paragraph_start, paragraph_end, continues_to, continued_from) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [page_id, seq, article.kind, article.title, article.kicker, article.deck, article.byline,
             article.text, article.paragraph_start, article.paragraph_end, article.continues_to,
             article.continued_from],
        )
        fts.index_article(conn, cursor.lastrowid, article.title, article.text)
    conn.execute(
        "INSERT INTO page_sources (page_id, source, source_path, first_seen) VALUES (?, ?, ?, ?)",
        [page_id, prepared.source.source, str(prepared.source.path.resolve()), imported_at],
    )
    return page_id


def _log(conn: sqlite3.Connection, run_started: str, outcome: FileOutcome) -> None:
    conn.execute(
        "INSERT INTO import_log (run_started, at, source, source_path, outcome, page_id, reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [run_started, _now(), outcome.source, outcome.path, outcome.outcome, outcome.page_id,
         outcome.reason or None],
    )


def _same_slot_warning(conn: sqlite3.Connection, prepared: PreparedPage, page_id: int) -> str | None:
    meta = prepared.metadata
    if meta.date is None or meta.page is None:
        return None
    row = conn.execute(
        "SELECT p.source FROM pages p JOIN issues i ON i.id = p.issue_id "
        "WHERE i.date = ? AND p.page = ? AND p.id != ? ORDER BY p.id LIMIT 1",
        [meta.date.label, meta.page, page_id],
    ).fetchone()
    if row:
        return f"{row[0]} also claims {meta.date.label} page {meta.page}: both are kept"
    return None


def import_file(
    conn: sqlite3.Connection, source: SourceFile, manifests: ManifestFinder, run_started: str
) -> FileOutcome:
    outcome = FileOutcome(source.source, str(source.path), REJECTED)
    try:
        size = source.path.stat().st_size
        if size > MAX_FILE_BYTES:
            outcome.reason = (f"the file is {size / 2**20:.0f} MB; a page file is at most "
                              f"{MAX_FILE_BYTES // 2**20} MB")
            return outcome
        data = source.path.read_bytes()
    except OSError as exc:
        outcome.reason = f"cannot be read: {exc.strerror or exc}"
        return outcome
    sha = hashlib.sha256(data).hexdigest()
    existing = conn.execute("SELECT id, source FROM pages WHERE sha256 = ? ORDER BY id LIMIT 1", [sha]).fetchone()
    if existing:
        outcome.outcome, outcome.page_id = UNCHANGED, existing["id"]
        if existing["source"] != source.source:
            outcome.warnings.append(f"same bytes as {existing['source']}: recorded as another name of that page")
        with write_transaction(conn):
            conn.execute(
                "INSERT OR IGNORE INTO page_sources (page_id, source, source_path, first_seen) VALUES (?, ?, ?, ?)",
                [existing["id"], source.source, str(source.path.resolve()), run_started],
            )
            _log(conn, run_started, outcome)
        return outcome
    try:
        prepared = prepare_page(source, data, manifests)
    except NotText as exc:
        outcome.reason = str(exc)
        return outcome
    outcome.warnings.extend(prepared.metadata.warnings)
    with write_transaction(conn):
        previous = conn.execute("SELECT id FROM pages WHERE source = ?", [source.source]).fetchone()
        if previous:
            _delete_page(conn, previous["id"])
        outcome.outcome = REPLACED if previous else IMPORTED
        outcome.page_id = _insert_page(conn, prepared, run_started)
        if (warning := _same_slot_warning(conn, prepared, outcome.page_id)):
            outcome.warnings.append(warning)
        _log(conn, run_started, outcome)
    return outcome


def import_paths(
    conn: sqlite3.Connection,
    paths: list[Path],
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ImportReport:
    report = ImportReport()
    files = collect_files(paths, report)
    manifests = ManifestFinder()
    run_started = _now()
    for done, source in enumerate(files):
        if cancel.cancelled:
            report.cancelled = True
            break
        progress(done, len(files), source.source)
        try:
            outcome = import_file(conn, source, manifests, run_started)
        except ArchiveError:
            raise
        except Cancelled:
            report.cancelled = True
            break
        report.files.append(outcome)
        if outcome.outcome == REJECTED:
            with write_transaction(conn):
                _log(conn, run_started, outcome)
    else:
        progress(len(files), len(files), "")
    seen = set()
    for manifest in manifests.manifests():
        for problem in manifest.problems:
            if problem not in seen:
                seen.add(problem)
                report.problems.append(problem)
    return report
