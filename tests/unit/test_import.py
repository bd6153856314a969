"""Importing into a real SQLite archive: dates, provenance, idempotence, replacement, rejection."""

import hashlib
import os
import shutil
import sqlite3

import pytest

from leshan_reader.core.errors import ArchiveError
from leshan_reader.core.progress import OPTIMIZING_INDEX, CancelToken
from leshan_reader.ingest import pipeline
from leshan_reader.library import Library
from leshan_reader.search.engine import SearchOptions
from leshan_reader.store import article_keys, fts, queries
from leshan_reader.store.db import get_meta, set_meta, write_transaction
from leshan_reader.store.fts import integrity_check
from tests.conftest import FRONT_2021, REPORT_2021, SEED_FILES, SEEDS

EXPECTED = {
    "000_07d425494b1a8dc8.txt": ("2021-09-15", "day", 1),
    "001_163a9bebb00dc6d4.txt": ("2022-06-30", "day", 1),
    "002_73012ee53591c949.txt": ("2022-07-06", "day", 1),
    "003_134116d0d86b0779.txt": ("2021", "year", 3),
    "004_1f340a6c8eacb42e.txt": ("2021", "year", None),
}


def test_a_new_archive_opens_on_the_seed_pages_with_their_dates(library):
    pages = {}
    for issue in library.issues():
        for page in issue["pages"]:
            pages[page["source"]] = (issue["date"], issue["date_precision"], page["page"])
    assert pages == EXPECTED
    dates = [issue["date"] for issue in library.issues()]
    assert dates == ["2021", "2021-09-15", "2022-06-30", "2022-07-06"]


def test_every_page_keeps_its_provenance_and_its_bytes(library):
    for issue in library.issues():
        for listed in issue["pages"]:
            page = library.page(listed["id"])
            data = (SEEDS / page["source"]).read_bytes()
            assert page["sha256"] == hashlib.sha256(data).hexdigest()
            assert queries.raw_bytes(library.conn, page["id"]) == data
            assert page["raw"] == data.decode("utf-8")
            assert page["imported_at"]
            assert "manifest" in page["date_source"]


def test_the_masthead_is_page_metadata_and_not_in_the_story_text(library):
    page = library.page(_page_id(library, FRONT_2021))
    assert page["masthead"]["issue_number"] == 11378
    assert page["pages_in_issue"] == 4
    kinds = [a["kind"] for a in page["articles"]]
    assert kinds[0] == "masthead"
    assert all("总第11378期" not in a["text"] for a in page["articles"] if a["kind"] != "masthead")


def test_quality_notes_are_stored_with_the_page(library):
    notes = library.page(_page_id(library, REPORT_2021))["notes"]
    assert any(n["kind"] == "stray_latin" for n in notes)


def _page_id(library, source):
    return next(p["id"] for i in library.issues() for p in i["pages"] if p["source"] == source)


def test_importing_again_changes_nothing(library):
    before = library.conn.execute("SELECT count(*), max(id) FROM pages").fetchone()
    report = library.import_paths([SEEDS])
    assert (report.count("unchanged"), report.count("imported"), report.ok) == (5, 0, True)
    assert library.conn.execute("SELECT count(*), max(id) FROM pages").fetchone() == before
    assert integrity_check(library.conn) is None


def test_a_changed_file_replaces_its_page(tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    with Library.open(tmp_path / "a.sqlite3", seed_if_new=False) as library:
        library.import_paths([folder])
        changed = folder / FRONT_2021
        changed.write_bytes(changed.read_bytes().replace("代理市长陈光浩".encode(), "市长陈光浩".encode()))
        report = library.import_paths([folder])
        assert report.count("replaced") == 1 and report.count("unchanged") == 4
        assert library.search("代理市长").total == 0
        assert library.search("市长陈光浩主持召开市政府第146次").total == 1
        assert library.stats()["pages"] == 5
        assert integrity_check(library.conn) is None


def test_a_replaced_page_that_moves_to_another_day_leaves_no_empty_issue_behind(tmp_path):
    page = tmp_path / "scan.txt"  # no date in the name: the masthead dates it
    masthead = "乐山日报\n\nLESHAN DAILY\n\n2021年5月{}日\n\n星期六\n\n本报讯 今天天气很好，一切正常。\n"
    page.write_text(masthead.format(1), encoding="utf-8")
    with Library.open(tmp_path / "a.sqlite3", seed_if_new=False) as library:
        library.import_paths([page])
        assert [issue["date"] for issue in library.issues()] == ["2021-05-01"]
        page.write_text(masthead.format(2), encoding="utf-8")
        assert library.import_paths([page]).count("replaced") == 1
        assert [issue["date"] for issue in library.issues()] == ["2021-05-02"]
        assert [row[0] for row in library.conn.execute("SELECT date FROM issues")] == ["2021-05-02"]
        # What searches filter and sort by moved with the page, and nothing of the old one is left.
        assert article_keys.problems(library.conn) == []
        assert library.search("天气", SearchOptions(date_from="2021-05-02")).total == 1
        assert library.search("天气", SearchOptions(date_to="2021-05-01")).total == 0

def test_a_changed_copy_elsewhere_is_kept_beside_the_original_and_reported(library, tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    changed = folder / FRONT_2021
    changed.write_bytes(changed.read_bytes().replace("代理市长陈光浩".encode(), "市长陈光浩".encode()))
    report = library.import_paths([folder])
    assert report.count("imported") == 1 and report.count("unchanged") == 4
    warnings = " | ".join(report.files[0].warnings if report.files[0].outcome == "imported" else
                          [w for f in report.files for w in f.warnings])
    assert f"kept as seeds/{FRONT_2021}" in warnings and "both are kept" in warnings
    assert library.search("代理市长陈光浩").total == 1 and library.stats()["pages"] == 6


def test_bad_files_are_named_with_the_reason_and_the_rest_is_imported(tmp_path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "2021-01-04_01.txt").write_text("乐山日报测试页。本报讯，今天天气很好。\n", encoding="gbk")
    (folder / "2021-01-04_02.txt").write_bytes(b"%PDF-1.4 not a page")
    (folder / "2021-01-04_03.txt").write_bytes(b"")
    (folder / "notes.md").write_text("not a page", encoding="utf-8")
    with Library.open(tmp_path / "a.sqlite3", seed_if_new=False) as library:
        report = library.import_paths([folder])
        rejected = {f.source: f.reason for f in report.files if f.outcome == "rejected"}
        assert rejected == {
            "2021-01-04_02.txt": "the file is a PDF document, not text",
            "2021-01-04_03.txt": "the file is empty",
        }
        assert report.count("imported") == 1 and not report.ok
        page = library.issues()[0]
        assert (page["date"], page["pages"][0]["page"]) == ("2021-01-04", 1)
        log = library.conn.execute("SELECT outcome, count(*) FROM import_log GROUP BY outcome").fetchall()
        assert dict(log) == {"imported": 1, "rejected": 2}


def test_a_page_without_any_date_is_imported_as_undated(tmp_path):
    (tmp_path / "scan.txt").write_text("一篇没有日期的文章，内容完整。\n", encoding="utf-8")
    with Library.open(tmp_path / "a.sqlite3", seed_if_new=False) as library:
        report = library.import_paths([tmp_path / "scan.txt"])
        assert "imported as undated" in report.files[0].warnings[-1]
        assert library.issues()[0]["date"] is None


@pytest.mark.parametrize("failing", [0, 2])
def test_a_failure_while_writing_leaves_nothing_of_that_file_and_keeps_those_before(tmp_path, monkeypatch, failing):
    names = [path.name for path in SEED_FILES]  # imported in this order, in one group of commits
    with Library.open(tmp_path / "a.sqlite3", seed_if_new=False) as library:
        original = pipeline._log

        def failing_log(conn, run_started, outcome):  # the last step of writing a file
            if outcome.source == names[failing]:
                raise sqlite3.OperationalError("disk I/O error")
            return original(conn, run_started, outcome)

        monkeypatch.setattr(pipeline, "_log", failing_log)
        with pytest.raises(sqlite3.OperationalError):
            library.import_paths([SEEDS])
        assert not library.conn.in_transaction
        stored = [row[0] for row in library.conn.execute("SELECT source FROM pages ORDER BY id")]
        assert stored == names[:failing]  # the files before it are kept, whole and searchable
        logged = library.conn.execute("SELECT count(*) FROM import_log").fetchone()[0]
        assert logged == failing
        assert integrity_check(library.conn) is None
        assert library.search("金口河区").total == (1 if failing else 0)  # in the first file
        monkeypatch.setattr(pipeline, "_log", original)
        assert library.import_paths([SEEDS]).count("imported") == 5 - failing
        assert library.search("金口河区").total >= 1


def test_files_written_but_not_yet_indexed_are_indexed_on_the_next_open(tmp_path):
    path = tmp_path / "a.sqlite3"
    with Library.open(path, seed_if_new=False) as library:
        loaded = pipeline.load_file(pipeline.SourceFile(SEEDS / FRONT_2021, FRONT_2021, SEEDS))
        pipeline.write_file(library.conn, loaded, "now", [])  # as if killed before the index batch
        assert library.search("金口河区").total == 0
    with Library.open(path) as library:
        assert library.search("金口河区").total >= 1
        assert integrity_check(library.conn) is None


def test_a_file_that_is_not_an_archive_is_refused_and_left_alone(tmp_path):
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    with pytest.raises(ArchiveError, match="not a Leshan Reader archive"):
        Library.open(other)
    assert other.read_bytes() == before
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(ArchiveError, match="not a Leshan Reader archive or is damaged"):
        Library.open(garbage)


def test_an_archive_from_a_newer_version_is_refused_unchanged(seed_archive, tmp_path):
    path = tmp_path / "newer.sqlite3"
    shutil.copy(seed_archive, path)
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('leshan_reader', '0099_from_the_future', 'x')"
    )
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ArchiveError, match="newer version"):
        Library.open(path)
    assert path.read_bytes() == before


def test_all_seed_files_are_in_the_repository_unchanged():
    # The manifest's SHA-256 facts are the files' provenance: the copies must be byte-identical.
    shared = SEEDS.parents[1] / "shared" / "seeds"
    for path in SEED_FILES:
        if (shared / path.name).exists():
            assert path.read_bytes() == (shared / path.name).read_bytes()


def _segments(library, table="article_bigrams"):
    return library.conn.execute(f"SELECT count(DISTINCT segid) FROM {table}_idx").fetchone()[0]


def test_an_import_that_grows_the_archive_leaves_its_index_in_one_segment(tmp_path):
    from leshan_reader.library import Library
    from leshan_reader.store import fts

    pages = sorted(SEEDS.glob("*.txt"))
    with Library.open(tmp_path / "a.sqlite3", seed_if_new=False) as library:
        for page in pages[:2]:
            library.import_paths([page])
        assert _segments(library) == 1 and _segments(library, "article_chars") == 1
        # As if the last merge had been at a far larger archive: this import grows it by less
        # than 25% since then, so its new segment is left for a later merge.
        with write_transaction(library.conn):
            set_meta(library.conn, fts.OPTIMIZED_AT_KEY, "1000000")
        library.import_paths([pages[2]])
        assert _segments(library) > 1
        assert {h.article_id for h in library.search("乐山").hits}  # still one consistent index
        assert fts.integrity_check(library.conn) is None


def test_a_cancel_during_the_final_merge_keeps_every_file(tmp_path):
    from leshan_reader.library import Library
    from leshan_reader.store import fts

    token = CancelToken()
    seen = []

    def progress(done, total, message):
        seen.append(message)
        if message == OPTIMIZING_INDEX:
            token.cancel()

    with Library.open(tmp_path / "a.sqlite3", seed_if_new=False) as library:
        report = library.import_paths([SEEDS], progress, token)
        assert report.count("imported") == 5 and not report.cancelled
        assert OPTIMIZING_INDEX in seen
        merged_at = library.conn.execute("SELECT value FROM meta WHERE key = ?", [fts.OPTIMIZED_AT_KEY]).fetchone()
        assert merged_at is None or merged_at[0] == "0"  # the merge did not run: the next import's
        assert library.search("金口河区").total == 2 and fts.integrity_check(library.conn) is None


def test_a_large_import_parses_in_worker_processes_and_a_second_run_changes_nothing(tmp_path):
    count = pipeline._PROCESS_POOL_MIN_FILES + 6
    folder = tmp_path / "pages"
    folder.mkdir()
    for n in range(count):
        day = 1 + n // 4
        (folder / f"2021-03-{day:02d}_{1 + n % 4:02d}.txt").write_text(
            f"本报讯 第{n}号稿件：春季植树活动在{n}个村同时开展。\n", encoding="utf-8")
    paused_while_writing = []

    def progress(done, total, message):  # what another connection sees of the index meanwhile
        if done == count // 2:
            with Library.open(tmp_path / "a.sqlite3", read_only=True) as reader:
                paused_while_writing.append(fts.merging_paused(reader.conn))

    with Library.open(tmp_path / "a.sqlite3", seed_if_new=False) as library:
        assert library.import_paths([folder], progress).count("imported") == count
        # A first import ends by merging the whole index: it paused merging while writing.
        assert paused_while_writing == [True] and not fts.merging_paused(library.conn)
        assert get_meta(library.conn, fts.OPTIMIZED_AT_KEY) == str(count)
        assert library.search("第17号稿件").total == 1 and library.search("植树").total == count
        # The texts crossed from the parsing processes as UTF-8 bytes: they are stored as text.
        for table in ("pages", "articles"):
            assert [tuple(r) for r in library.conn.execute(f"SELECT DISTINCT typeof(text) FROM {table}")] == [("text",)]
        (folder / "2021-03-01_01.txt").write_text("本报讯 第0号稿件改为修订稿。\n", encoding="utf-8")
        again = library.import_paths([folder])
        assert (again.count("unchanged"), again.count("replaced")) == (count - 1, 1)
        assert library.search("修订稿").total == 1 and library.search("植树").total == count - 1
        assert not fts.merging_paused(library.conn) and fts.integrity_check(library.conn) is None


def test_merging_left_paused_by_a_killed_import_resumes_when_the_archive_opens(library):
    with write_transaction(library.conn):
        fts.pause_merging(library.conn)
    path = library.path
    library.close()
    with Library.open(path, read_only=True) as reader:
        assert fts.merging_paused(reader.conn)
    reopened = Library.connect(path)
    assert reopened.needs_maintenance()
    reopened.maintain()
    assert not fts.merging_paused(reopened.conn) and not reopened.needs_maintenance()
    reopened.close()


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="POSIX process priorities")
def test_parsing_processes_yield_the_processor_to_the_writer():
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                             initializer=pipeline._start_parsing_process, initargs=(frozenset(),)) as pool:
        child = pool.submit(os.getpriority, os.PRIO_PROCESS, 0).result()
    assert child > os.getpriority(os.PRIO_PROCESS, 0)


def test_an_import_checkpoints_less_often_and_restores_the_setting(tmp_path, monkeypatch):
    """The WAL is let grow to ``IMPORT_CHECKPOINT_PAGES`` during an import, then the archive's
    own setting is back (a reader's session would otherwise keep a WAL of 64 MB), and the WAL
    file is emptied."""
    from leshan_reader.store import db as store_db

    seen = []
    real_write_files = pipeline._write_files

    def write_files(conn, *args, **kwargs):
        seen.append(conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        return real_write_files(conn, *args, **kwargs)

    monkeypatch.setattr(pipeline, "_write_files", write_files)
    with Library.open(tmp_path / "a.sqlite3", seed_if_new=False) as library:
        before = library.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        report = library.import_paths(sorted(SEEDS.glob("*.txt")))
        assert report.count("imported") == 5
        assert seen == [store_db.IMPORT_CHECKPOINT_PAGES] != [before]
        assert library.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == before
        assert os.path.getsize(tmp_path / "a.sqlite3-wal") == 0  # emptied at the end


def test_a_folder_that_cannot_be_read_is_named_and_the_rest_is_imported(tmp_path, monkeypatch):
    """The root of a Windows drive holds ``System Volume Information``, which a user cannot
    read: importing the drive names it and imports the pages beside it."""
    drive = tmp_path / "drive"
    (drive / "System Volume Information").mkdir(parents=True)
    (drive / "2021").mkdir()
    shutil.copy(SEEDS / FRONT_2021, drive / "2021" / FRONT_2021)
    shutil.copy(SEEDS / REPORT_2021, drive / REPORT_2021)
    (drive / ".trash").mkdir()
    shutil.copy(SEEDS / REPORT_2021, drive / ".trash" / "copy.txt")
    real_scandir = os.scandir

    def scandir(path):
        if os.path.basename(path) == "System Volume Information":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(pipeline.os, "scandir", scandir)
    with Library.open(tmp_path / "a.sqlite3", seed_if_new=False) as library:
        report = library.import_paths([drive])
    assert [f.source for f in report.files] == [REPORT_2021, f"2021/{FRONT_2021}"]
    assert report.count("imported") == 2
    assert any("System Volume Information" in p and "cannot be read" in p for p in report.problems)


def _pages_of_varied_text(folder, count: int, chars: int = 2000) -> list[str]:
    """Page files of pseudo-random Han text (most of its character pairs occur once: an index
    many times the seed pages'), and the text of each."""
    import random

    rng = random.Random(5)
    folder.mkdir()
    texts = []
    for n in range(count):
        text = "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(chars))
        texts.append(text)
        lines = "\n".join(text[i:i + 25] + ("。" if i % 500 == 475 else "") for i in range(0, chars, 25))
        (folder / f"2021-04-{1 + n // 4:02d}_{1 + n % 4:02d}.txt").write_text(
            f"本报讯 {lines}\n", encoding="utf-8")
    return texts


def test_an_import_of_up_to_a_year_is_indexed_in_one_batch_and_needs_no_merge(library, tmp_path, monkeypatch):
    """Its articles go into each index table in one transaction, which FTS5 writes as one
    segment; the seed pages' small segment beside it is not worth rewriting the index for."""
    texts = _pages_of_varied_text(tmp_path / "pages", pipeline._PROCESS_POOL_MIN_FILES + 36)
    batches, merges = [], []
    monkeypatch.setattr(fts, "index_articles", lambda conn, articles, real=fts.index_articles:
                        batches.append(len(articles)) or real(conn, articles))
    monkeypatch.setattr(fts, "optimize", lambda conn, cancel=None, real=fts.optimize:
                        merges.append(1) or real(conn, cancel))
    report = library.import_paths([tmp_path / "pages"])
    assert report.count("imported") == len(texts)
    assert len(batches) == 1 and merges == []
    assert [_segments(library, table) for table in (fts.CHARS, fts.BIGRAMS)] == [2, 2]
    articles = library.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert get_meta(library.conn, fts.OPTIMIZED_AT_KEY) == str(articles)  # as good as merged
    for text in texts[::20]:
        assert library.search(text[100:106]).total == sum(text[100:106] in other for other in texts)
    assert library.search("金口河区").total == 2 and integrity_check(library.conn) is None


def test_a_larger_import_is_indexed_in_batches_and_merged(tmp_path, monkeypatch):
    texts = _pages_of_varied_text(tmp_path / "pages", pipeline._PROCESS_POOL_MIN_FILES + 36, chars=500)
    monkeypatch.setattr(pipeline, "_ONE_BATCH_BYTES", 10_000)
    monkeypatch.setattr(pipeline, "_INDEX_BATCH_CHARS", 8_000)
    monkeypatch.setattr(pipeline, "_FIRST_INDEX_BATCH_CHARS", 1_000)
    batches = []
    monkeypatch.setattr(fts, "index_articles", lambda conn, articles, real=fts.index_articles:
                        batches.append(len(articles)) or real(conn, articles))
    with Library.open(tmp_path / "a.sqlite3", seed_if_new=False) as library:
        assert library.import_paths([tmp_path / "pages"]).count("imported") == len(texts)
        assert len(batches) > 5
        assert [_segments(library, table) for table in (fts.CHARS, fts.BIGRAMS)] == [1, 1]
        for text in texts[::20]:
            assert library.search(text[100:106]).total == sum(text[100:106] in other for other in texts)
