"""The CLI contract, run as a user runs it: a subprocess per command."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import FRONT_2021, SEEDS

pytestmark = pytest.mark.e2e


def run(*args, home, check=True, stdin=None):
    env = {**os.environ, "LESHAN_READER_HOME": str(home), "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, "-m", "leshan_reader", *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", env=env, input=stdin, timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_issues_json_lists_the_bundled_archive_by_date(isolated_home):
    issues = json.loads(run("issues", "--json", home=isolated_home).stdout)
    assert [(i["date"], i["date_precision"]) for i in issues] == [
        ("2021", "year"), ("2021-09-15", "day"), ("2022-06-30", "day"), ("2022-07-06", "day")
    ]
    assert set(issues[0]) == {"date", "date_precision", "pages"}
    assert issues[1]["pages"][0] == {"id": 1, "page": 1, "source": FRONT_2021}


def test_page_json_has_the_contract_fields(isolated_home):
    page = json.loads(run("page", "1", "--json", home=isolated_home).stdout)
    for key in ("id", "date", "date_precision", "page", "source", "sha256", "raw", "text", "articles"):
        assert key in page
    assert page["raw"] == (SEEDS / FRONT_2021).read_text(encoding="utf-8")
    assert "提供个性化工作服务" in page["text"]
    assert {"id", "title", "text"} <= set(page["articles"][0])


def test_page_without_json_prints_the_reading_text(isolated_home):
    out = run("page", "1", home=isolated_home).stdout
    assert out.splitlines()[0] == "2021-09-15  第1版  000_07d425494b1a8dc8.txt"
    assert "提供个性化工作服务" in out
    raw = run("page", "1", "--raw", home=isolated_home).stdout
    assert "提供个性\n\n化工作服务" in raw


def test_search_json_contract(isolated_home):
    result = json.loads(run("search", "樂山", "--limit", "2", "--json", home=isolated_home).stdout)
    assert result["query"] == "樂山"
    assert result["total"] > 2 and len(result["hits"]) == 2
    for key in ("page_id", "date", "date_precision", "page", "source", "article_id", "title",
                "snippet", "matches", "score"):
        assert key in result["hits"][0]
    assert "⟦乐山⟧" in result["hits"][0]["snippet"]
    # 的 is in most articles, so FTS5 floors its IDF and its scores are tiny: still printed.
    common = json.loads(run("search", "的", "--limit", "5", "--json", home=isolated_home).stdout)
    scores = [hit["score"] for hit in common["hits"]]
    assert all(0 < score < 1e-4 for score in scores) and scores == sorted(scores, reverse=True)
    assert scores[0] > scores[-1]


def test_search_queries_file_prints_one_json_line_per_query(isolated_home, tmp_path):
    queries = tmp_path / "q.txt"
    queries.write_text("习近平\n\n火星基地\n\"\n-only\n", encoding="utf-8")
    lines = run("search", "--queries-file", queries, "--limit", "1", "--json", home=isolated_home).stdout.splitlines()
    results = [json.loads(line) for line in lines]
    assert [r["query"] for r in results] == ["习近平", "火星基地", '"', "-only"]
    single = json.loads(run("search", "习近平", "--json", home=isolated_home).stdout)
    assert results[0]["total"] == single["total"] >= 4 and len(results[0]["hits"]) == 1
    assert results[1]["total"] == 0
    assert "error" in results[3]


def test_import_reports_and_exit_status(isolated_home, tmp_path):
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "2023-01-02_01.txt").write_text("本报讯，新的一页。\n", encoding="utf-8")
    first = run("import", folder, home=isolated_home)
    assert first.stdout.strip().endswith("1 imported, 0 unchanged, 0 replaced, 0 rejected")
    again = run("import", folder, "--json", home=isolated_home)
    assert json.loads(again.stdout)["unchanged"] == 1
    (folder / "2023-01-02_02.txt").write_bytes(b"\x89PNG\r\n\x1a\n....")
    bad = run("import", folder, home=isolated_home, check=False)
    assert bad.returncode == 1
    assert "2023-01-02_02.txt: the file is a PNG image, not text" in bad.stderr


def test_foreseeable_errors_are_one_line_without_a_traceback(isolated_home, tmp_path):
    garbage = tmp_path / "x.sqlite3"
    garbage.write_bytes(b"garbage" * 1000)
    result = run("issues", "--db", garbage, home=isolated_home, check=False)
    assert result.returncode == 2 and "not a Leshan Reader archive" in result.stderr
    missing = run("page", "999", home=isolated_home, check=False)
    assert missing.returncode == 2 and "no page 999" in missing.stderr
    empty = run("search", "", home=isolated_home, check=False)
    assert empty.returncode == 2 and "Type something" in empty.stderr


def test_db_option_is_honoured_on_every_command(isolated_home, tmp_path):
    db = tmp_path / "elsewhere.sqlite3"
    run("issues", "--db", db, home=isolated_home)
    assert db.exists()
    assert not (isolated_home / "archive.sqlite3").exists()
    assert json.loads(run("check", "--db", db, "--json", home=isolated_home).stdout)["ok"] is True


def test_options_given_before_the_command_are_honoured(isolated_home, tmp_path):
    """``leshan-reader --db X import ...`` imported into the default archive: the command's own
    default for ``--db`` replaced the one given before it."""
    db = tmp_path / "elsewhere.sqlite3"
    run("--db", db, "import", SEEDS, home=isolated_home)
    assert not (isolated_home / "archive.sqlite3").exists()
    checked = json.loads(run("--json", "--db", db, "check", home=isolated_home).stdout)
    assert checked["ok"] is True and checked["pages"] == 5


def test_glossary_json_lists_every_entry_with_its_source(isolated_home):
    entries = json.loads(run("glossary", "--json", home=isolated_home).stdout)
    assert len(entries) == 41
    for key in ("term", "aliases", "definition", "source", "page_id", "date"):
        assert key in entries[0]
    assert entries[0]["term"] == "半小时交通圈" and entries[0]["source"] == "003_134116d0d86b0779.txt"


def test_glossary_text_finds_the_best_entry_first(isolated_home):
    for typed, term in [("六稳六保", "“六稳”“六保”"), ("553企业", "“553”企业"), ("一岗双责", "党风廉政建设“一岗双责”")]:
        found = json.loads(run("glossary", typed, "--json", home=isolated_home).stdout)
        assert found[0]["term"] == term
    printed = run("glossary", "四早", home=isolated_home).stdout
    assert "指早发现、早隔离、早报告、早治疗。" in printed and "2021年政府工作报告, 第3版" in printed
    missing = run("glossary", "不存在的词", home=isolated_home, check=False)
    assert missing.returncode == 1 and "no glossary entry" in missing.stderr


def test_page_json_gives_term_offsets_into_each_article_in_any_script(isolated_home):
    for script in ("hans", "twp"):
        page = json.loads(run("page", "5", "--json", "--script", script, home=isolated_home).stdout)
        marked = [a["text"][t["start"]:t["end"]] for a in page["articles"] for t in a["terms"]]
        expected = {"hans": ["六稳六保", "多规合一"], "twp": ["六穩六保", "多規合一"]}[script]
        assert set(expected) <= set(marked), marked


def test_convert_reads_stdin_and_writes_the_chosen_script(isolated_home):
    text = "头发和干部在软件公司里，干燥的后院\n第二行\n"
    assert run("convert", "--script", "twp", home=isolated_home, stdin=text).stdout == \
        "頭髮和幹部在軟體公司裡，乾燥的後院\n第二行\n"
    assert run("convert", "--script", "hk", home=isolated_home, stdin="头发").stdout == "頭髮"
    assert run("convert", "--script", "hans", home=isolated_home, stdin="头发").stdout == "头发"


def test_check_reports_a_sound_archive_and_a_damaged_one(isolated_home, tmp_path):
    report = json.loads(run("check", "--json", home=isolated_home).stdout)
    assert report["ok"] and report["database"] == ["ok"] and report["search_index"] == "ok"
    db = tmp_path / "damaged.sqlite3"
    run("import", "--db", db, SEEDS, home=isolated_home)
    data = bytearray(db.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    pages = len(data) // page_size
    for page in range(pages // 3, pages // 3 + 6):  # scribble over b-tree page headers mid-file
        data[page * page_size: page * page_size + 12] = b"\x0d\xff\xff\xff\xff\x00\x00\x00\x00\xff\xff\xff"
    db.write_bytes(bytes(data))
    damaged = run("check", "--db", db, home=isolated_home, check=False)
    assert damaged.returncode != 0
    assert "DAMAGED" in damaged.stdout or "damaged" in damaged.stderr or "not" in damaged.stderr


def test_check_reports_search_keys_out_of_step_with_their_pages(isolated_home, tmp_path):
    import sqlite3

    db = tmp_path / "archive.sqlite3"
    run("import", "--db", db, SEEDS, home=isolated_home)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE article_keys SET page = 99 WHERE article_id IN (SELECT min(id) FROM articles)")
    result = run("check", "--db", db, "--json", home=isolated_home, check=False)
    report = json.loads(result.stdout)
    assert result.returncode == 1 and report["ok"] is False
    assert report["database"] == ["1 article(s) have missing or wrong search keys (date, page)"]


@pytest.mark.parametrize("archive", ["new", "indexed by an older version", "ready"])
def test_gui_smoke_opens_the_window_searches_and_switches_script(isolated_home, tmp_path, archive):
    """``gui --smoke`` as the packaged build runs it, on a first start, on an archive whose
    search index must be rebuilt before the first page (an upgrade), and on a ready archive."""
    import sqlite3

    db = tmp_path / "archive.sqlite3"
    if archive != "new":
        run("issues", "--db", db, home=isolated_home)
    if archive == "indexed by an older version":
        with sqlite3.connect(db) as conn:
            conn.execute("DELETE FROM meta WHERE key = 'fts_fold_signature'")
    result = subprocess.run(
        [sys.executable, "-m", "leshan_reader", "gui", "--smoke", "--db", str(db)],
        capture_output=True, text=True, encoding="utf-8", timeout=120,
        env={**os.environ, "LESHAN_READER_HOME": str(isolated_home), "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["hits"] > 0 and report["glossary_entries"] == 41
    assert report["traditional_sample"].startswith("樂山日報")
    assert set(report) >= {"startup", "first_page", "search", "toggle"}
    if archive == "ready":  # a normal start paints the page before making Qt's enums (see leshan_reader.ui)
        assert report["qt_namespace_before_first_page"] is False
    assert json.loads(run("check", "--db", db, "--json", home=isolated_home).stdout)["ok"] is True


@pytest.mark.parametrize("args", [("search", "茶"), ("search", "乐山", "--json"), ("page", "1")])
def test_output_into_a_closed_pipe_ends_quietly(isolated_home, args):
    """``leshan-reader search 茶 | head -1``: when the reader of the output has gone, the command
    stops without an error message (it used to report an internal error)."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the first line is written
    try:
        result = subprocess.run(
            [sys.executable, "-m", "leshan_reader", *args], stdout=write_end, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", timeout=120,
            env={**os.environ, "LESHAN_READER_HOME": str(isolated_home), "PYTHONIOENCODING": "utf-8"},
        )
    finally:
        os.close(write_end)
    assert result.stderr == ""
    assert result.returncode == 141


def test_a_closed_pipe_reported_by_windows_as_einval_is_told_from_other_errors(monkeypatch):
    """Windows reports writing into a closed pipe as EINVAL as often as EPIPE (cpython#79935):
    that too ends quietly, while an EINVAL from anything else stays an error."""
    import errno

    from leshan_reader import cli

    class Stdout:
        def __init__(self, broken):
            self.broken = broken

        def flush(self):
            if self.broken:
                raise OSError(errno.EINVAL, "Invalid argument")

    monkeypatch.setattr(cli.sys, "platform", "win32")
    einval = OSError(errno.EINVAL, "Invalid argument")
    monkeypatch.setattr(cli.sys, "stdout", Stdout(broken=True))
    assert cli._output_reader_gone(einval)
    monkeypatch.setattr(cli.sys, "stdout", Stdout(broken=False))
    assert not cli._output_reader_gone(einval)
    assert cli._output_reader_gone(BrokenPipeError(errno.EPIPE, "Broken pipe"))
    assert not cli._output_reader_gone(OSError(errno.ENOSPC, "No space left on device"))
    monkeypatch.setattr(cli.sys, "platform", "linux")
    monkeypatch.setattr(cli.sys, "stdout", Stdout(broken=True))
    assert not cli._output_reader_gone(einval)


def test_a_bug_is_reported_in_one_line_with_the_details_in_the_log(isolated_home, monkeypatch, capsys):
    import errno

    from leshan_reader import cli

    def broken_command(args):
        raise OSError(errno.EINVAL, "not a pipe problem")

    monkeypatch.setattr(cli, "cmd_check", broken_command)
    assert cli.main(["check"]) == 70
    err = capsys.readouterr().err
    assert err.startswith("leshan-reader: internal error (a bug, not your data).")
    assert "Traceback" not in err
    assert "not a pipe problem" in (isolated_home / "leshan-reader.log").read_text(encoding="utf-8")
