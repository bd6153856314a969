"""Opening the archive file: one SQLite database with WAL, checked before it is trusted.

Each thread opens its own connection. Writes go through ``write_transaction`` or
``GroupedWrites`` (``BEGIN IMMEDIATE``), so a second writer waits for the busy timeout and then
gets "archive busy" rather than a half-done import.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Iterator

from leshan_reader.core import paths
from leshan_reader.core.errors import ArchiveBusy, ArchiveError, Cancelled, ReadOnlyArchive
from leshan_reader.core.progress import NEVER_CANCELLED, CancelToken

# The schema's migration steps, by name, in order. Opening an up-to-date archive needs only these
# names; sqlite-utils and the migrations themselves (store/schema.py, which a test keeps in step
# with this list) are imported only when an archive needs upgrading: it keeps start-up quick.
MIGRATION_SET = "leshan_reader"
MIGRATION_NAMES = (
    "0001_initial", "0002_glossary_sources", "0003_fts_without_sizes", "0004_fts_ascii_tokenizer",
    "0005_article_keys", "0006_char_lists", "0007_article_keys_by_date", "0008_fts_body_first",
    "0009_fts_larger_buffer",
)

APPLICATION_ID = 0x4C534452  # "LSDR": marks the file as a Leshan Reader archive
BUSY_TIMEOUT_MS = 5000
MMAP_BYTES = 0x7FFF0000  # SQLite's default ceiling (SQLITE_MAX_MMAP_SIZE): about 2 GB


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    if read_only:
        uri = path.resolve().as_uri() + "?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            # A WAL archive on read-only media cannot create its -shm file: read it as immutable.
            conn = sqlite3.connect(
                path.resolve().as_uri() + "?immutable=1", uri=True, isolation_level=None,
                check_same_thread=False,
            )
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    # In WAL mode NORMAL never corrupts and loses nothing on a killed process; only a power cut
    # can drop the last committed files, which a re-run of the import then adds again.
    conn.execute("PRAGMA synchronous = NORMAL")
    # Reading the archive through a memory map rather than a read() per page: searches at 5
    # years 15-25% faster (median 6.0-7.0 -> 5.1 ms), imports ~10% faster. The mapped pages are
    # the operating system's file cache, shared, and dropped under memory pressure. Not for a
    # portable install: a read from a mapped file on a USB stick pulled out ends the process,
    # where a read() error is a message.
    if not paths.is_portable():
        conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    return conn


def _writable(path: Path) -> bool:
    if path.exists():
        return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    return os.access(path.parent, os.W_OK)


def open_connection(path: Path, *, read_only: bool = False, create: bool = True) -> sqlite3.Connection:
    """A checked, migrated connection to the archive at ``path``.

    Raises ArchiveError with a message for: a file that is not an archive, an archive written by a
    newer version, a folder that cannot be created. A read-only file opens read-only when
    ``read_only`` is not forced either way by the caller (``ReadOnlyArchive`` is raised only on
    writes).
    """
    path = Path(path)
    exists = path.exists() and path.stat().st_size > 0
    if not exists and not create:
        raise ArchiveError(f"There is no archive at {path}.")
    if not exists:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"Cannot create the archive folder {path.parent}: {exc.strerror}.") from None
    if not read_only and exists and not _writable(path):
        read_only = True
    try:
        conn = _connect(path, read_only=read_only)
        _check_identity(conn, path, exists)
        if read_only:
            conn.execute("PRAGMA query_only = 1")
            _refuse_newer(conn, path)
            _check_schema_current(conn, path)
        else:
            _migrate(conn, path)
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(
            f"{path} is not a Leshan Reader archive or is damaged ({exc}). "
            "Choose another file, or run `leshan-reader check` on it."
        ) from None
    return conn


def is_read_only(conn: sqlite3.Connection) -> bool:
    return bool(conn.execute("PRAGMA query_only").fetchone()[0])


def _check_identity(conn: sqlite3.Connection, path: Path, existed: bool) -> None:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id == APPLICATION_ID:
        return
    tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if existed and (app_id != 0 or tables):
        raise ArchiveError(
            f"{path} is an SQLite database, but not a Leshan Reader archive. "
            "It was left unchanged; choose another file."
        )


def _applied(conn: sqlite3.Connection) -> list[str]:
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = '_sqlite_migrations'"
    ).fetchone()
    if not has_table:
        return []
    rows = conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET]
    )
    return [row[0] for row in rows]


def _refuse_newer(conn: sqlite3.Connection, path: Path) -> None:
    unknown = set(_applied(conn)) - set(MIGRATION_NAMES)
    if unknown:
        raise ArchiveError(
            f"{path} was written by a newer version of Leshan Reader (schema steps "
            f"{', '.join(sorted(unknown))} are unknown to this version). It was not changed; "
            "update Leshan Reader to open it."
        )


def _check_schema_current(conn: sqlite3.Connection, path: Path) -> None:
    pending = set(MIGRATION_NAMES) - set(_applied(conn))
    if pending:
        raise ArchiveError(
            f"{path} is read-only and was written by an older version; it needs upgrading, "
            "which cannot be done on a read-only file. Copy it somewhere writable first."
        )


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    _refuse_newer(conn, path)
    if not set(MIGRATION_NAMES) - set(_applied(conn)):
        return
    from sqlite_utils import Database

    from leshan_reader.store import schema

    db = Database(conn)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        schema.migrations.apply(db)
        conn.execute(f"PRAGMA user_version = {len(MIGRATION_NAMES)}")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise ArchiveBusy(f"The archive {path} is busy; another program is upgrading it.") from None
        raise


def _begin(conn: sqlite3.Connection) -> None:
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if "locked" in message or "busy" in message:
            raise ArchiveBusy(
                "The archive is busy: another window or command is importing. Try again when it "
                "has finished."
            ) from None
        if "readonly" in message or "read-only" in message or "query_only" in message:
            raise ReadOnlyArchive(
                "This archive is read-only (a shared copy or read-only media): imports are disabled."
            ) from None
        raise


def _roll_back(conn: sqlite3.Connection, exc: BaseException) -> None:
    """Undo the open transaction after ``exc``; a full disk becomes a message."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    if isinstance(exc, sqlite3.OperationalError) and "full" in str(exc):
        raise ArchiveError(
            "The disk is full: the import stopped, and the files it had not finished were not "
            "imported (the others are kept). Free some space and import again."
        ) from None


@contextlib.contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One atomic write: everything inside commits together or not at all."""
    _begin(conn)
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException as exc:
        _roll_back(conn, exc)
        raise


class GroupedWrites:
    """Many small atomic writes committed together: each ``part`` is a savepoint, whole or
    undone, and ``commit`` (due every ``parts_per_commit`` parts) makes the parts so far durable.
    A part that fails is undone alone and the parts before it are committed, as if each had been
    its own transaction; a killed process loses only the parts not committed yet."""

    def __init__(self, conn: sqlite3.Connection, parts_per_commit: int) -> None:
        self.conn, self.parts_per_commit = conn, parts_per_commit
        self.uncommitted = 0

    @contextlib.contextmanager
    def part(self) -> Iterator[sqlite3.Connection]:
        conn = self.conn
        if not conn.in_transaction:
            _begin(conn)
        conn.execute("SAVEPOINT part")
        try:
            yield conn
        except BaseException as exc:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK TO part")
                    conn.execute("RELEASE part")
                except sqlite3.Error:
                    conn.execute("ROLLBACK")  # the parts before it go too
            self.commit()  # the parts before it (a full disk may refuse them too)
            _roll_back(conn, exc)
            raise
        conn.execute("RELEASE part")
        self.uncommitted += 1

    def due(self) -> bool:
        return self.uncommitted >= self.parts_per_commit

    def commit(self) -> None:
        if self.conn.in_transaction:
            try:
                self.conn.execute("COMMIT")
            except BaseException as exc:
                _roll_back(self.conn, exc)
                raise
        self.uncommitted = 0


# An import writes the archive's size again in WAL frames; with SQLite's default checkpoint
# (every 1,000 pages) the writer copied them back into the archive, and synced it, every 4 MB:
# some pages (the index's structure, the tables' inner pages) once for each commit that touched
# them. A year's import replayed without parsing, writer CPU over ten alternating runs: median
# 6.8 -> 6.1 s. The WAL grows to about 64 MB meanwhile (more in one large transaction).
IMPORT_CHECKPOINT_PAGES = 16_000


@contextlib.contextmanager
def fewer_checkpoints(conn: sqlite3.Connection, pages: int = IMPORT_CHECKPOINT_PAGES) -> Iterator[None]:
    """Checkpoint the WAL every ``pages`` pages meanwhile, and fully at the end, emptying the
    WAL file (after a year's import it held 86-135 MB, the merge's transaction alone about the
    index's size, kept on the disk until the archive was closed)."""
    previous = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    conn.execute(f"PRAGMA wal_autocheckpoint = {pages}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA wal_autocheckpoint = {previous}")
        # Waits (the busy timeout) for readers still using the WAL; if they outlast it, the
        # checkpoint is partial and the file is emptied by a later one.
        with contextlib.suppress(sqlite3.Error):
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@contextlib.contextmanager
def read_snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """The statements run inside read one state of the archive (a read transaction), unless the
    caller's transaction already holds one."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")  # nothing was written: this only ends the read


@contextlib.contextmanager
def interruptible(conn: sqlite3.Connection, cancel: CancelToken) -> Iterator[None]:
    """Statements run inside stop soon after ``cancel`` is set, raising Cancelled."""
    if cancel is not NEVER_CANCELLED:
        conn.set_progress_handler(lambda: 1 if cancel.cancelled else 0, 2000)
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "interrupt" in str(exc):
            raise Cancelled() from None
        raise
    finally:
        if cancel is not NEVER_CANCELLED:
            conn.set_progress_handler(None, 0)


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )
