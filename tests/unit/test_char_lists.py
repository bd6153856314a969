"""One-character searches read each frequent character's list of its first articles (store.
char_lists) and rank only the articles indexed since: they must give what FTS5's own ranking gives
— the same hits, order, scores and totals — as the archive grows and loses pages. Here "frequent"
means held by 3 articles and the lists are 4 long, so that the seed pages exercise every case."""

import shutil

import pytest

from leshan_reader.library import Library
from leshan_reader.search import engine
from leshan_reader.search.engine import SearchOptions
from leshan_reader.store import bm25, char_lists, fts
from leshan_reader.store.db import set_meta, write_transaction
from leshan_reader.text.normalize import normalize_long
from tests.conftest import SEED_FILES

CHARS = ["的", "乐", "山", "茶", "市", "，", "。", "“", "1", "d", "页", "亓"]


@pytest.fixture(autouse=True)
def short_lists(monkeypatch):
    monkeypatch.setattr(char_lists, "LISTED_FROM", 3)
    monkeypatch.setattr(char_lists, "LIST_LENGTH", 4)


def _through_lists_and_fts5(library, char, monkeypatch):
    """(through the lists, through FTS5's ranking) for several pages of results."""
    cases = [SearchOptions(limit=n, offset=o) for n, o in [(4, 0), (2, 1), (1, 3), (3, 2), (50, 0), (0, 0), (2, 500)]]
    used = []
    original = engine._ranked_from_list
    with monkeypatch.context() as patch:
        patch.setattr(engine, "_ranked_from_list", lambda *args: used.append(args) or original(*args))
        listed = [_as_compared(library.search(char, options)) for options in cases]
    with monkeypatch.context() as patch:
        patch.setattr(engine, "_ranked_from_list", lambda *args: None)
        ranked = [_as_compared(library.search(char, options)) for options in cases]
    return listed, ranked


def _as_compared(result):
    return result.total, [(h.article_id, h.score, h.matches, h.snippet, h.marks) for h in result.hits]


def _stored(conn) -> dict[str, tuple[int, list[tuple[int, int]]]]:
    return {chr(code): (articles, char_lists._unpack(blob))
            for code, articles, blob in conn.execute(
                "SELECT code, c.articles, l.entries FROM char_lists l JOIN char_counts c USING (code)")}


def _problems(conn) -> list[str]:
    """How the stored lists differ from the articles' own text, up to the lists' last article:
    each count, and each list, without the articles removed since, being the start of the
    character's order by weight."""
    through = int(conn.execute("SELECT value FROM meta WHERE key = ?", [char_lists.THROUGH_KEY]).fetchone()[0])
    weights: dict[str, list[tuple[int, int]]] = {}
    for article_id, title, text in conn.execute("SELECT id, title, text FROM articles WHERE id <= ?", [through]):
        title, text = normalize_long(title), normalize_long(text)
        for char in set(title) | set(text):
            weight = bm25.weight(title.count(char), text.count(char))
            weights.setdefault(char, []).append((article_id, weight))
    present = {row[0] for row in conn.execute("SELECT id FROM articles")}
    problems = []
    for char, (articles, listed) in _stored(conn).items():
        listed = [pair for pair in listed if pair[0] in present]
        order = sorted(weights.get(char, []), key=lambda pair: (-pair[1], pair[0]))
        if articles != len(order):
            problems.append(f"{char}: {articles} articles counted, the text has {len(order)}")
        if order[:len(listed)] != listed:
            problems.append(f"{char}: list {listed}, order {order[:len(listed)]}")
    return problems


def _import_each(library, folder, files):
    for path in files:
        shutil.copy(path, folder / path.name)
    return library.import_paths([folder])


def test_one_character_searches_read_the_lists_and_give_what_fts5_gives(tmp_path, monkeypatch):
    with Library.open(tmp_path / "a.sqlite3") as library:  # the seeds' import ends with a merge
        stored = _stored(library.conn)
        assert len(stored) > 50 and _problems(library.conn) == []
        assert all(articles >= 3 for articles, _ in stored.values())
        assert any(len(listed) == 4 < articles for articles, listed in stored.values())
        for char in CHARS:
            listed, ranked = _through_lists_and_fts5(library, char, monkeypatch)
            assert listed == ranked, char
        tea = library.search("茶", SearchOptions(limit=1))  # the tea article, 26 matches, first
        assert tea.hits[0].matches == 26 and tea.total == len(library.search("茶").hits)
        for typed, folded in [("樂", "乐"), ("D", "d")]:  # folded to the listed character
            assert _as_compared(library.search(typed, SearchOptions(limit=3))) == \
                _as_compared(library.search(folded, SearchOptions(limit=3)))


def test_articles_indexed_after_the_lists_are_ranked_with_them(tmp_path, monkeypatch):
    folder = tmp_path / "pages"
    folder.mkdir()
    with Library.open(tmp_path / "a.sqlite3", seed_if_new=False) as library:
        _import_each(library, folder, SEED_FILES[:3])
        before = _stored(library.conn)
        assert before
        monkeypatch.setattr(fts, "OPTIMIZE_GROWTH", 100.0)  # no merge: the lists stay as they were
        _import_each(library, folder, SEED_FILES[3:])
        assert _stored(library.conn) == before
        newer = library.conn.execute("SELECT count(*) FROM articles WHERE id > (SELECT value FROM meta "
                                     "WHERE key = ?)", [char_lists.THROUGH_KEY]).fetchone()[0]
        assert newer > 5
        for char in CHARS:
            listed, ranked = _through_lists_and_fts5(library, char, monkeypatch)
            assert listed == ranked, char


def test_a_replaced_page_leaves_the_counts_and_searches_skip_it_in_the_lists(tmp_path, monkeypatch):
    folder = tmp_path / "pages"
    folder.mkdir()
    with Library.open(tmp_path / "a.sqlite3", seed_if_new=False) as library:
        _import_each(library, folder, SEED_FILES)
        page = max(SEED_FILES, key=lambda p: p.stat().st_size)
        (folder / page.name).write_text("2021年1月1日 第1版\n本报讯 新的一页。\n", encoding="utf-8")
        monkeypatch.setattr(fts, "OPTIMIZE_GROWTH", 100.0)
        assert library.import_paths([folder]).count("replaced") == 1
        assert _problems(library.conn) == []
        present = {row[0] for row in library.conn.execute("SELECT id FROM articles")}
        assert any(pair[0] not in present for _, listed in _stored(library.conn).values() for pair in listed)
        for char in CHARS:
            listed, ranked = _through_lists_and_fts5(library, char, monkeypatch)
            assert listed == ranked, char


def test_re_indexing_makes_the_lists_and_an_archive_without_them_searches_as_before(library, monkeypatch):
    with write_transaction(library.conn):
        char_lists.clear(library.conn)
    assert _stored(library.conn) == {}
    expected = [_as_compared(library.search(char, SearchOptions(limit=3))) for char in CHARS]
    with write_transaction(library.conn):
        set_meta(library.conn, fts.SIGNATURE_KEY, "an older folding")
    path = library.path
    library.close()
    with Library.open(path) as reopened:  # re-indexed on opening, lists made with it
        assert len(_stored(reopened.conn)) > 50 and _problems(reopened.conn) == []
        assert [_as_compared(reopened.search(char, SearchOptions(limit=3))) for char in CHARS] == expected


def test_a_large_archive_lists_only_characters_held_by_enough_articles(library, monkeypatch):
    monkeypatch.setattr(char_lists, "LISTED_FROM", 20)
    lists = char_lists.make(library.conn, fts.indexed_through(library.conn))
    counts = {chr(item.code): item.articles for item in lists.lists}
    held = {normalize_long(char): library.search(char, SearchOptions(limit=0)).total for char in "的乐茶亓，"}
    assert counts and all(count >= 20 for count in counts.values())
    assert {char for char, total in held.items() if total >= 20} <= set(counts)
    assert all(counts[char] == total for char, total in held.items() if char in counts)
