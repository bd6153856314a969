"""Killing an import at any moment, and a reader beside a writer: the archive survives both."""

import json
import os
import sqlite3
import subprocess
import sys
import time

import pytest

from leshan_reader.library import Library
from leshan_reader.store.fts import integrity_check, merging_paused

pytestmark = pytest.mark.e2e
PAGES = 240


def make_pages(folder):
    folder.mkdir()
    for number in range(PAGES):
        day = f"2020-{1 + number // 28:02d}-{1 + number % 28:02d}"
        body = f"本报讯 这是第{number}号测试页，标记码{number:04d}甲乙，" + "乐山日报测试文字。" * 120
        (folder / f"{day}_01.txt").write_text(f"测试页面\n\n{body}\n", encoding="utf-8")


def start_import(db, folder, home, output=subprocess.DEVNULL):
    env = {**os.environ, "LESHAN_READER_HOME": str(home), "PYTHONIOENCODING": "utf-8",
           "LESHAN_TEST_RUN": str(home)}  # inherited by the import's worker processes: finds them
    return subprocess.Popen([sys.executable, "-m", "leshan_reader", "import", "--db", str(db), str(folder)],
                            env=env, stdout=output, stderr=output)


def pages_written(db) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute("SELECT count(*) FROM pages").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def no_processes_left(run, timeout: float = 10) -> bool:
    """The killed import's parsing worker process ends too (it would otherwise live on)."""
    if not os.path.isdir("/proc"):
        return True
    marker = f"LESHAN_TEST_RUN={run}".encode()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(_has_marker(pid, marker) for pid in os.listdir("/proc") if pid.isdigit()):
            return True
        time.sleep(0.1)
    return False


def _has_marker(pid: str, marker: bytes) -> bool:
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            return marker in handle.read().split(b"\0")
    except OSError:
        return False


@pytest.mark.parametrize("kill_after_pages", [0, 1, 37, 150])
def test_killing_an_import_keeps_every_finished_file_and_a_rerun_completes_it(tmp_path, kill_after_pages):
    folder, db = tmp_path / "pages", tmp_path / "archive.sqlite3"
    make_pages(folder)
    Library.open(db, seed_if_new=False).close()
    process = start_import(db, folder, tmp_path)
    deadline = time.monotonic() + 60
    while pages_written(db) < kill_after_pages and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    if kill_after_pages == 0:
        time.sleep(0.3)  # mid start-up: reading, parsing, opening the archive
    process.kill()  # SIGKILL; TerminateProcess on Windows: no chance to clean up
    process.wait()
    assert no_processes_left(tmp_path)
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
    with Library.open(db, seed_if_new=False) as library:  # opening indexes what was written, unindexed
        assert integrity_check(library.conn) is None
        assert not merging_paused(library.conn)  # the import paused it (a first import of many)
        stored = library.stats()["pages"]
        assert stored < PAGES, "the import finished before the kill: raise PAGES"
        for page_id in library.page_order():  # every page that is there is whole and searchable
            page = library.page(page_id)
            marker = page["text"].split("标记码")[1][:4]
            assert library.search(f"标记码{marker}甲乙").total == 1
    rerun = start_import(db, folder, tmp_path, subprocess.PIPE)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err.decode()
    with Library.open(db, seed_if_new=False) as library:
        assert library.stats()["pages"] == PAGES
        assert integrity_check(library.conn) is None
        assert library.search("标记码0239甲乙").total == 1


def test_the_cli_waits_or_reports_busy_while_another_import_holds_the_archive(tmp_path):
    db = tmp_path / "archive.sqlite3"
    Library.open(db, seed_if_new=False).close()
    holder = sqlite3.connect(db)
    holder.execute("BEGIN IMMEDIATE")
    page = tmp_path / "2020-01-01_01.txt"
    page.write_text("测试\n\n本报讯 内容。\n", encoding="utf-8")
    env = {**os.environ, "LESHAN_READER_HOME": str(tmp_path)}  # the CLI waits its busy timeout (5 s), then says so
    result = subprocess.run([sys.executable, "-m", "leshan_reader", "import", "--db", str(db), str(page)],
                            env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    holder.rollback()
    holder.close()
    assert result.returncode == 2 and "busy" in result.stderr and "Traceback" not in result.stderr
    retry = subprocess.run([sys.executable, "-m", "leshan_reader", "import", "--db", str(db), str(page), "--json"],
                           env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert retry.returncode == 0 and json.loads(retry.stdout)["imported"] == 1
