"""Messy archives: duplicates, bad metadata, huge and hostile files, disk full, busy and
read-only archives, and fuzzed queries and pages. Nothing raises, nothing is half-written."""

import os
import random
import sqlite3
import stat

import pytest

from leshan_reader.core.errors import ArchiveBusy, ArchiveError, QueryError, ReadOnlyArchive
from leshan_reader.ingest.decode import MAX_FILE_BYTES, NotText
from leshan_reader.ingest.pipeline import SourceFile, prepare_page
from leshan_reader.library import Library
from leshan_reader.store.db import write_transaction
from leshan_reader.store.fts import integrity_check
from tests.conftest import FRONT_2021, SEEDS


def page_text(marker: str) -> str:
    return f"测试版面\n\n本报讯 这是一篇用于测试的文章，标记{marker}，内容完整。\n"


def write_page(path, marker: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page_text(marker), encoding="utf-8")


def consistent(library: Library) -> bool:
    ok = library.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return ok and integrity_check(library.conn) is None


def test_the_same_bytes_under_two_names_are_imported_once_with_both_names(tmp_path):
    write_page(tmp_path / "a" / "2021-05-01_01.txt", "甲")
    write_page(tmp_path / "b" / "copy of page.txt", "甲")
    with Library.open(tmp_path / "x.sqlite3", seed_if_new=False) as library:
        report = library.import_paths([tmp_path / "a", tmp_path / "b"])
        assert library.stats()["pages"] == 1
        page = library.page(library.page_order()[0])
        assert page["source"] == "2021-05-01_01.txt" and page["other_sources"] == ["copy of page.txt"]
        assert any("same bytes as 2021-05-01_01.txt" in w for f in report.files for w in f.warnings)


def test_two_different_files_claiming_one_date_and_page_are_both_kept_and_reported(tmp_path):
    write_page(tmp_path / "scan1" / "2021-05-01_01.txt", "甲")
    write_page(tmp_path / "scan2" / "2021-05-01_01.txt", "乙")
    with Library.open(tmp_path / "x.sqlite3", seed_if_new=False) as library:
        report = library.import_paths([tmp_path / "scan1", tmp_path / "scan2"])
        assert library.stats()["pages"] == 2
        warnings = [w for f in report.files for w in f.warnings]
        assert any("also claims 2021-05-01 page 1: both are kept" in w for w in warnings)
        assert library.search("标记乙").total == 1 and library.search("标记甲").total == 1


def test_bad_manifest_rows_are_reported_and_the_good_ones_used(tmp_path):
    write_page(tmp_path / "good.txt", "好")
    write_page(tmp_path / "bad-date.txt", "坏")
    (tmp_path / "manifest.csv").write_text(
        "file,date,page,scanner\n"
        "good.txt,2021-03-04,2,A\n"
        "bad-date.txt,2021-02-30,1,A\n"
        "../../etc/passwd,2021,1,A\n"
        "missing.txt,2021-01-01,1,A\n", encoding="utf-8")
    write_page(tmp_path / "1999-12-31.txt", "无版")  # date, no page
    with Library.open(tmp_path / "x.sqlite3", seed_if_new=False) as library:
        report = library.import_paths([tmp_path])
        problems = " | ".join(report.problems + [w for f in report.files for w in f.warnings])
        for expected in ("unknown column(s) scanner", "no day 30", "outside the manifest's folder",
                         "missing.txt"):
            assert expected in problems
        dates = {(i["date"], p["page"]) for i in library.issues() for p in i["pages"]}
        assert ("2021-03-04", 2) in dates and ("1999-12-31", None) in dates
        assert report.count("imported") == 3  # the page with a bad date is imported, its date reported


def test_a_file_over_the_size_limit_is_refused_without_reading_it(tmp_path):
    huge = tmp_path / "2021-01-01_01.txt"
    with open(huge, "wb") as handle:  # sparse: 100 MB on disk costs nothing
        handle.seek(100 * 2**20)
        handle.write(b"\n")
    write_page(tmp_path / "2021-01-01_02.txt", "小")
    with Library.open(tmp_path / "x.sqlite3", seed_if_new=False) as library:
        report = library.import_paths([tmp_path])
        rejected = {f.source: f.reason for f in report.files if f.outcome == "rejected"}
        assert f"{MAX_FILE_BYTES // 2**20} MB" in rejected["2021-01-01_01.txt"]
        assert report.count("imported") == 1


def test_markup_looking_text_is_stored_and_searched_as_text(tmp_path):
    hostile = "本报讯 <script>alert(1)</script> 与 <img src=x onerror=y> &nbsp; %s {} {0} \\n 都是原文。"
    (tmp_path / "2021-01-01_01.txt").write_text(f"测试\n\n{hostile}\n", encoding="utf-8")
    with Library.open(tmp_path / "x.sqlite3", seed_if_new=False) as library:
        library.import_paths([tmp_path])
        page = library.page(library.page_order()[0])
        assert "<script>alert(1)</script>" in page["text"] and "&nbsp; %s {} {0}" in page["text"]
        hit = library.search("<script>").hits[0]
        assert "<script>" in hit.snippet


def test_disk_full_stops_the_import_with_a_message_and_keeps_the_archive_consistent(tmp_path, monkeypatch):
    folder = tmp_path / "pages"
    folder.mkdir()
    for day in range(1, 29):
        (folder / f"2021-02-{day:02d}_01.txt").write_text(page_text(f"第{day}天") * 40, encoding="utf-8")
    path = tmp_path / "x.sqlite3"
    with Library.open(path, seed_if_new=False) as library:
        library.import_paths([folder / "2021-02-01_01.txt"])
        pages = library.conn.execute("PRAGMA page_count").fetchone()[0]
        # The disk "fills up" a few pages' worth later: SQLite reports SQLITE_FULL as a real disk would.
        library.conn.execute(f"PRAGMA max_page_count = {pages + 12}")
        with pytest.raises(ArchiveError, match="disk is full"):
            library.import_paths([folder])
        kept = library.stats()["pages"]
        assert 1 <= kept < 28
        assert consistent(library)
    with Library.open(path, seed_if_new=False) as library:  # space freed: a re-run completes the rest
        report = library.import_paths([folder])
        assert library.stats()["pages"] == 28 and report.count("imported") == 28 - kept
        assert consistent(library)


def test_a_second_writer_is_told_the_archive_is_busy(library):
    other = sqlite3.connect(library.path, timeout=0.1)
    other.execute("BEGIN IMMEDIATE")  # another window's import holds the write lock
    try:
        library.conn.execute("PRAGMA busy_timeout = 200")
        with pytest.raises(ArchiveBusy, match="busy"):
            with write_transaction(library.conn):
                pass
        assert library.search("乐山").total > 0  # readers go on reading meanwhile (WAL)
    finally:
        other.rollback()
        other.close()


def test_a_read_only_archive_opens_for_reading_and_refuses_imports(seed_archive, tmp_path, monkeypatch):
    if getattr(os, "geteuid", lambda: -1)() == 0:  # root may write anything: make os.access answer as for the file's owner
        monkeypatch.setattr("leshan_reader.store.db.os.access",
                            lambda p, mode: not mode & os.W_OK or bool(os.stat(p).st_mode & stat.S_IWUSR))
    folder = tmp_path / "dvd"
    folder.mkdir()
    copy = folder / "archive.sqlite3"
    copy.write_bytes(seed_archive.read_bytes())
    copy.chmod(stat.S_IRUSR)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with Library.open(copy) as library:
            assert library.read_only
            assert library.search("乐山").total > 0 and len(library.glossary()) == 41
            with pytest.raises(ReadOnlyArchive, match="read-only"):
                library.import_paths([SEEDS / FRONT_2021])
    finally:
        folder.chmod(stat.S_IRWXU)
        copy.chmod(stat.S_IRUSR | stat.S_IWUSR)


# --- fuzz -------------------------------------------------------------------------------------

QUERY_ALPHABET = list('乐山樂"\'()*-+:^ NEAR AND OR NOT {}[]\\/%_;,.。，“”「」０Ａ\t\n\x00\x07\u200b😀🀄︎') + [
    "乐山", "茶叶", "NEAR(", "AND", "OR", "NOT", "SELECT * FROM pages;", "--", "/*", "\"\"", "title:", "body:",
]


def test_a_few_thousand_random_queries_give_results_or_a_clear_message(library):
    rng = random.Random(7)
    failures = []
    for _ in range(3000):
        query = "".join(rng.choice(QUERY_ALPHABET) for _ in range(rng.randint(0, 12)))
        try:
            result = library.search(query)
            assert result.total >= 0
        except QueryError as exc:
            assert str(exc)
        except Exception as exc:  # anything else is a bug
            failures.append((query, repr(exc)))
    for query in ("乐" * 10_000, "\x00" * 50, "😀" * 600, '"' * 501):
        try:
            library.search(query)
        except QueryError:
            pass
    assert failures == []


def test_a_few_thousand_mangled_pages_never_break_the_parser():
    rng = random.Random(11)
    seeds = [p.read_bytes() for p in sorted(SEEDS.glob("*.txt"))]
    pieces = [b"\n", b"\n\n", b"**", b"#", b"## ", b"\xe3\x80\x80", b"(", b"\xef\xbc\x89", b"\r\n", b":", b"\x00",
              "（下转第3版）".encode(), "名词解释".encode(), "**术语:**".encode(), b"\xff"]
    failures = []
    for number in range(2000):
        data = bytearray(rng.choice(seeds)[: rng.randint(0, 6000)])
        for _ in range(rng.randint(0, 30)):
            at = rng.randint(0, len(data))
            if rng.random() < 0.5 and data:
                del data[at: at + rng.randint(1, 40)]
            else:
                data[at:at] = rng.choice(pieces)
        source = SourceFile(path=SEEDS / "fuzz.txt", source=f"fuzz{number}.txt", root=SEEDS)
        try:
            page = prepare_page(source, bytes(data))
            assert all(a.paragraph_start <= a.paragraph_end for a in page.articles)
        except NotText:
            pass
        except Exception as exc:  # noqa: BLE001 - the point of the test
            failures.append((number, repr(exc)))
    assert failures == []


def test_a_parsing_process_that_dies_does_not_stop_the_import(tmp_path, monkeypatch):
    import concurrent.futures

    from leshan_reader.ingest import pipeline

    folder = tmp_path / "pages"
    for day in range(1, 29):
        write_page(folder / f"2021-02-{day:02d}_01.txt", f"第{day}天")

    class DyingPool(concurrent.futures.ThreadPoolExecutor):
        """Its worker 'dies' after its first task, as a killed or out-of-memory process does."""

        submitted = 0

        def submit(self, fn, *args):
            DyingPool.submitted += 1
            if DyingPool.submitted > 1:
                future = concurrent.futures.Future()
                future.set_exception(concurrent.futures.process.BrokenProcessPool("worker died"))
                return future
            return super().submit(fn, *args)

    def dying_pool(count, known):
        pool = DyingPool(max_workers=1)
        return pipeline._Readers(pool, lambda sources: pool.submit(pipeline.load_files, sources, known),
                                 lambda: True)

    monkeypatch.setattr(pipeline, "_reader_pool", dying_pool)
    monkeypatch.setattr(pipeline, "_FILES_PER_TASK", 4)  # it dies with 24 files still to parse
    with Library.open(tmp_path / "x.sqlite3", seed_if_new=False) as library:
        report = library.import_paths([folder])
        assert report.count("imported") == 28 and library.stats()["pages"] == 28
        assert consistent(library)


def test_the_files_parsed_while_the_parsing_processes_start_are_written_in_order(tmp_path, monkeypatch):
    """The writer parses the first files itself until the pool is up, then takes the pool's:
    every file is written once, in the order of the files (article ids follow the dates)."""
    import concurrent.futures

    from leshan_reader.ingest import pipeline

    folder = tmp_path / "pages"
    for day in range(1, 29):
        write_page(folder / f"2021-02-{day:02d}_01.txt", f"第{day}天")
    asked, pooled = [], []

    def slow_to_start_pool(count, known):
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)

        def submit(sources):
            pooled.extend(source.source for source in sources)
            return pool.submit(pipeline.load_files, sources, known)

        def started():
            asked.append(True)
            return len(asked) > 7
        return pipeline._Readers(pool, submit, started)

    monkeypatch.setattr(pipeline, "_reader_pool", slow_to_start_pool)
    with Library.open(tmp_path / "x.sqlite3", seed_if_new=False) as library:
        report = library.import_paths([folder])
        assert report.count("imported") == 28
        sources = [row[0] for row in library.conn.execute("SELECT source FROM pages ORDER BY id")]
        assert sources == sorted(sources) and len(sources) == 28
        assert len(pooled) == 21 and pooled == sources[7:]  # the first 7 were parsed by the writer
        assert consistent(library)


def test_a_portable_install_keeps_its_data_beside_it_and_reads_the_archive_without_a_memory_map(
        tmp_path, monkeypatch):
    """A USB stick pulled out mid-read must give an error message, not end the process, which is
    what a read from a memory-mapped file does."""
    import sys

    from leshan_reader.core import paths
    from leshan_reader.store.db import open_connection

    (tmp_path / "portable.txt").write_text("", encoding="utf-8")
    monkeypatch.delenv(paths.HOME_ENV, raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "LeshanReader.exe"))
    assert paths.is_portable() and paths.data_dir() == tmp_path / "data"
    conn = open_connection(paths.default_archive_path())
    try:
        assert conn.execute("PRAGMA mmap_size").fetchone()[0] == 0
    finally:
        conn.close()
    (tmp_path / "portable.txt").unlink()
    assert not paths.is_portable()
    conn = open_connection(tmp_path / "local.sqlite3")
    try:
        assert conn.execute("PRAGMA mmap_size").fetchone()[0] > 0
    finally:
        conn.close()
