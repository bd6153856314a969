"""Search on the seed archive, checked against a brute-force oracle over the reflowed text."""

import random

import pytest

from leshan_reader.conversion import convert
from leshan_reader.core.errors import Cancelled, QueryError
from leshan_reader.core.progress import CancelToken
from leshan_reader.search.engine import SearchOptions
from leshan_reader.search.query import parse_query
from leshan_reader.text.normalize import normalize


def oracle(articles, query):
    parsed = parse_query(query)

    def contains(article, term):
        return any(term in column for column in article)

    return {
        article_id
        for article_id, article in articles.items()
        if all(any(contains(article, t) for t in group) for group in parsed.groups)
        and not any(contains(article, t) for t in parsed.excluded)
    }


def found(library, query, **options):
    result = library.search(query, SearchOptions(**options))
    assert result.total == len(result.hits)
    return {hit.article_id for hit in result.hits}


def sampled_substrings(articles, length, count, seed):
    rng = random.Random(seed)
    texts = [text for _, text in articles.values() if len(text) > length]
    out = []
    while len(out) < count:
        text = rng.choice(texts)
        start = rng.randrange(len(text) - length)
        sample = text[start:start + length]
        if '"' not in sample and not sample.startswith("-"):  # typed as text, not as syntax
            out.append(sample)
    return out


@pytest.mark.parametrize("length", range(1, 13))
def test_every_query_length_matches_the_oracle(library, articles, length):
    queries = sampled_substrings(articles, length, 25, seed=length)
    for query in queries:
        expected = oracle(articles, query)
        assert expected, query  # sampled from the text: something must match
        assert found(library, query) == expected, query


@pytest.mark.parametrize(
    "query",
    [
        "习近平",  # hard-wrapped as 习近\n平 on the 2022 pages
        "提供个性化工作服务",  # a column break with a blank line in mid-word
        "且连续3年排名",
        "放心创业",
        "应急管理能力三年提升计划",
        "平安满意度测评",  # justified spacing 度 测 评
        "推动创新引领组织工作高质量发展",
    ],
)
def test_queries_across_ocr_line_and_column_breaks_are_found(library, articles, query):
    expected = oracle(articles, query)
    assert expected
    assert found(library, query) == expected


@pytest.mark.parametrize("query", ["火星基地", "乐山日报社论", "zzzz", "长江黄河上游生态屏障乐山"])
def test_absent_words_find_nothing(library, query):
    assert library.search(query).total == 0


@pytest.mark.parametrize(
    "typed, printed",
    [
        ("樂山", "乐山"),
        ("習近平", "习近平"),
        ("生態環境", "生态环境"),
        ("３Ｄ打印", "3D打印"),
        ("led屏幕", "LED屏幕"),
        ("Leshan Daily", "LESHAN DAILY"),
    ],
)
def test_traditional_full_width_and_case_variants_find_the_printed_text(library, articles, typed, printed):
    expected = oracle(articles, printed)
    assert expected
    assert found(library, typed) == expected


def test_traditional_queries_round_trip(library, articles):
    for query in sampled_substrings(articles, 4, 40, seed=99):
        traditional = convert(query, "s2t")
        assert found(library, traditional) == oracle(articles, query), (query, traditional)


@pytest.mark.parametrize(
    "query",
    ["乐山 茶叶", '"乐山 大佛"', "乐山 -茶叶", "茶叶 OR 3D打印", "茶叶 OR 3D打印 -王涛", "陈光浩 AND 防汛"],
)
def test_every_syntax_form_matches_the_oracle(library, articles, query):
    assert found(library, query) == oracle(articles, query)


@pytest.mark.parametrize(
    "query",
    ['"', '""', '"乐山', "NEAR(乐山 茶叶)", "乐*", "*", "AND", "OR OR", "(", ")", "^乐山",
     "title:乐山", "'; DROP TABLE articles; --", "乐山 NOT 茶叶", "\\", "%", "_", "🙂", "乐\x07山",
     "a" * 499],
)
def test_hostile_input_never_raises_anything_but_a_clear_message(library, articles, query):
    try:
        result = library.search(query)
    except QueryError as exc:
        assert str(exc)
        return
    assert {hit.article_id for hit in result.hits} == oracle(articles, query)


def test_hits_carry_what_a_citation_needs(library):
    result = library.search("金口河区", SearchOptions(limit=3))
    hit = result.hits[0]
    assert (hit.date, hit.page, hit.source) == ("2021-09-15", 1, "000_07d425494b1a8dc8.txt")
    assert hit.matches >= 5
    first = hit.marks[0]
    assert hit.snippet[first[0]:first[1]] == "金口河区"
    assert hit.marked_snippet().count("⟦金口河区⟧") == len(hit.marks)


def test_matches_count_every_occurrence_even_across_breaks(library):
    for hit in library.search("习近平").hits:
        article = next(a for a in library.page(hit.page_id)["articles"] if a["id"] == hit.article_id)
        expected = normalize(article["text"]).count("习近平") + normalize(article["title"]).count("习近平")
        assert hit.matches == expected


def test_total_is_reported_when_results_are_limited(library):
    everything = library.search("会议")
    limited = library.search("会议", SearchOptions(limit=2))
    assert limited.total == everything.total > 2
    assert len(limited.hits) == 2


def test_date_filters_include_year_only_pages_that_overlap(library):
    in_2021 = library.search("乐山", SearchOptions(date_from="2021-09", date_to="2021-09"))
    assert {h.date for h in in_2021.hits} == {"2021", "2021-09-15"}
    in_2022 = library.search("乐山", SearchOptions(date_from="2022"))
    assert {h.date for h in in_2022.hits} == {"2022-06-30", "2022-07-06"}
    page_3 = library.search("乐山", SearchOptions(page=3))
    assert {h.page for h in page_3.hits} == {3}
    with pytest.raises(QueryError, match="Date filter"):
        library.search("乐山", SearchOptions(date_from="2021-13"))


def test_date_order_sorts_hits_by_date(library):
    hits = library.search("乐山", SearchOptions(order="date")).hits
    starts = [h.date or "9999" for h in hits]
    assert starts == sorted(starts)


def test_a_cancelled_search_stops(library):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        library.search("的", cancel=token)


def weighted_matches(hit, term):
    return 5 * normalize(hit.title).count(term) + hit.matches - normalize(hit.title).count(term)


@pytest.mark.parametrize("term", ["乐山", "发展", "茶", "工作"])
def test_relevance_puts_the_articles_that_use_the_term_most_first(library, term):
    """A headline match counts five body matches; a short item that mentions the term once does
    not outrank an article about it."""
    hits = library.search(term).hits
    weights = [weighted_matches(hit, term) for hit in hits]
    assert len(hits) > 3 and weights == sorted(weights, reverse=True)
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)


def test_a_headline_match_ranks_above_body_mentions(library):
    hits = library.search("金口河区").hits
    assert "金口河区" in normalize(hits[0].title)
    assert any("金口河区" not in normalize(h.title) for h in hits[1:])


def test_an_archive_indexed_by_an_older_version_is_reindexed_on_upgrade(library, articles):
    path = library.path
    library.conn.executescript("""
        DROP TABLE article_chars;
        CREATE VIRTUAL TABLE article_chars USING fts5 (title, body, content='');
        DELETE FROM _sqlite_migrations WHERE name IN ('0003_fts_without_sizes', '0004_fts_ascii_tokenizer');
    """)
    library.close()
    from leshan_reader.library import Library

    with Library.open(path) as upgraded:  # 0003 recreates both indexes, maintenance refills them
        ddl = upgraded.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'article_chars'").fetchone()[0]
        assert "columnsize=0" in ddl
        segments = upgraded.conn.execute("SELECT count(DISTINCT segid) FROM article_bigrams_idx").fetchone()[0]
        assert segments == 1  # the rebuilt index is merged
        for query in ("乐", "乐山", "金口河区"):
            assert found(upgraded, query) == oracle(articles, query)


def test_an_archive_indexed_headline_first_is_indexed_again_body_first_on_upgrade(tmp_path, articles):
    """0008 puts the body first in the index tables (a third smaller); an archive indexed before
    it, headline first and with 0001's tokenizer (0004 left indexed archives so), is indexed again
    on opening, and its searches give the same hits with the same scores."""
    from leshan_reader.library import Library
    from leshan_reader.store import fts
    from leshan_reader.store.db import write_transaction
    from leshan_reader.store.schema import FTS_TOKENIZE

    queries = ("乐", "乐山", "金口河区", "3D打印", "%", "的")
    path = tmp_path / "before-0008.sqlite3"
    with Library.open(path) as library:  # the seeds
        before = [[(h.article_id, h.score) for h in library.search(q).hits] for q in queries]
        library.conn.executescript(f"""
            DROP TABLE article_chars;
            DROP TABLE article_bigrams;
            CREATE VIRTUAL TABLE article_chars USING fts5 (title, body, content='', columnsize=0, tokenize="{FTS_TOKENIZE}");
            CREATE VIRTUAL TABLE article_bigrams USING fts5 (title, body, content='', columnsize=0, tokenize="{FTS_TOKENIZE}");
            DELETE FROM _sqlite_migrations WHERE name IN ('0004_fts_ascii_tokenizer', '0008_fts_body_first');
        """)
        with write_transaction(library.conn):
            fts.rebuild_index(library.conn)
    with Library.open(path) as upgraded:
        for table in ("article_chars", "article_bigrams"):
            ddl = upgraded.conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
            assert "fts5 ( body, title," in " ".join(ddl.split()) and 'tokenize="ascii' in ddl
        assert not upgraded.needs_maintenance()
        assert [[(h.article_id, h.score) for h in upgraded.search(q).hits] for q in queries] == before
        for query in queries:
            assert found(upgraded, query) == oracle(articles, query), query
        assert all(before)


def test_an_archive_from_before_migration_0005_gets_the_search_keys_of_its_articles(tmp_path, articles):
    """Filters and the date order read the narrow ``article_keys`` table; an older archive has it
    filled from its pages and issues on opening, and searches give what they gave."""
    from leshan_reader.library import Library
    from leshan_reader.store import article_keys

    path = tmp_path / "before-0005.sqlite3"
    with Library.open(path) as library:
        cases = [("乐山", SearchOptions(order="date")), ("乐山", SearchOptions(date_from="2022")),
                 ("的", SearchOptions(page=3, order="date")), ("发展", SearchOptions(date_to="2021-12"))]
        before = [[h.article_id for h in library.search(q, o).hits] for q, o in cases]
        library.conn.executescript("""
            DROP TABLE article_keys;
            DELETE FROM _sqlite_migrations WHERE name = '0005_article_keys';
            PRAGMA user_version = 4;
        """)
    with Library.open(path) as upgraded:
        assert article_keys.problems(upgraded.conn) == []
        assert upgraded.conn.execute("SELECT count(*) FROM article_keys").fetchone()[0] == len(articles)
        assert [[h.article_id for h in upgraded.search(q, o).hits] for q, o in cases] == before
        assert all(before)


def test_every_ascii_punctuation_character_is_searchable_where_it_is_printed(tmp_path):
    """The index makes a token of every character, ASCII punctuation included (the tokenizer is
    told so; by default it would drop them)."""
    from leshan_reader.library import Library
    from leshan_reader.store.schema import _ASCII_PUNCTUATION

    han = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土日月星山川河海"
    line = "".join(f"{han[i]}{p}{han[i + 1]}，" for i, p in enumerate(_ASCII_PUNCTUATION))
    (tmp_path / "2021-05-01_01.txt").write_text(f"本报讯 价格说明：{line}完。\n", encoding="utf-8")
    with Library.open(tmp_path / "a.sqlite3", seed_if_new=False) as library:
        assert library.import_paths([tmp_path / "2021-05-01_01.txt"]).ok
        ddl = library.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'article_chars'").fetchone()[0]
        assert 'tokenize="ascii tokenchars' in ddl  # a new archive gets the faster tokenizer
        typable = [(i, p) for i, p in enumerate(_ASCII_PUNCTUATION) if p not in '"-']  # '"', '-': syntax
        for (i, p), (_, other) in zip(typable, typable[1:] + typable[:1]):
            hits = library.search(f"{han[i]}{p}{han[i + 1]}").hits
            assert len(hits) == 1 and hits[0].matches == 1, p
            assert library.search(f"{han[i]}{other}{han[i + 1]}").total == 0, (p, other)
            assert library.search(f"{han[i + 1]}{p}{han[i]}").total == 0, p


def test_a_page_printed_with_kangxi_radicals_is_found_by_the_usual_characters(tmp_path):
    """Text taken from PDFs often holds Kangxi radicals (U+2F00-) for common characters: ⾼ for
    高, ⾞ for 車. Those folding to a traditional character must fold on to the simplified one."""
    from leshan_reader.library import Library

    page = tmp_path / "2021-05-02_01.txt"
    page.write_text("本报讯 市⾼新区⾞站⾨⼝新增公交线路两条。\n", encoding="utf-8")
    with Library.open(tmp_path / "a.sqlite3", seed_if_new=False) as library:
        assert library.import_paths([page]).ok
        for query in ("车站", "車站", "高新区车站门口", "⾞站", "站门"):
            hits = library.search(query).hits
            assert [hit.matches for hit in hits] == [1], query
        assert "⟦⾞站⟧" in library.search("车站").hits[0].marked_snippet()


@pytest.mark.parametrize("order", ["relevance", "date"])
@pytest.mark.parametrize("query", ["乐山", "茶", "金口河区", "高质量发展", "乐山 高质量发展", "不存在的词语"])
def test_the_total_is_the_same_whatever_part_of_the_results_is_asked_for(library, articles, query, order):
    full = library.search(query, SearchOptions(order=order))
    everything = [hit.article_id for hit in full.hits]
    assert full.total == len(everything) == len(oracle(articles, query))
    for limit, offset in [(1, 0), (3, 0), (len(everything), 0), (len(everything) + 5, 0),
                          (3, 2), (50, 1), (3, len(everything)), (3, len(everything) + 10)]:
        part = library.search(query, SearchOptions(limit=limit, offset=offset, order=order))
        assert part.total == full.total, (limit, offset)
        assert [hit.article_id for hit in part.hits] == everything[offset:offset + limit]


def overlaps_itself(term):
    return any(term[:k] == term[-k:] for k in range(1, len(term)))


@pytest.mark.parametrize("length", [1, 2, 3, 4, 7])
def test_a_limited_one_term_search_reads_its_total_from_the_scores_not_a_count(library, articles, length):
    """The total of a one-term search that has more hits than it shows is read back from its
    first hit's score; it is counted only where the score cannot tell: a term in more than half
    the articles (FTS5 floors its IDF), or one that overlaps itself (FTS5 counts 哈哈 twice in
    哈哈哈, the snippet marks it once)."""
    statements = []
    library.conn.set_trace_callback(statements.append)
    queries = sampled_substrings(articles, length, 25, seed=200 + length) + ["的", "乐山", "金口河区"]
    read_back = 0
    for query in queries:
        expected = len(oracle(articles, query))
        statements.clear()
        result = library.search(query, SearchOptions(limit=1))
        assert result.total == expected, query
        counted = any("count(*)" in statement for statement in statements)
        term = parse_query(query).positive_terms[0]
        if 1 < expected <= len(articles) // 2 and not overlaps_itself(term):
            assert not counted, query
            read_back += 1
        elif expected > len(articles) // 2 + 1:
            assert counted, query
    library.conn.set_trace_callback(None)
    assert read_back >= 3


def test_a_term_that_overlaps_itself_is_counted_right_in_a_limited_search(tmp_path):
    """FTS5 finds 哈哈 twice in 哈哈哈, a reader sees it once: the weight taken from such a hit is
    not FTS5's, and the total must not be read back from its score (here it would be 1-2 off)."""
    from leshan_reader.library import Library

    texts = ["笑声哈哈哈不断。"] * 8 + ["今天天气晴朗。"] * 92
    for number, text in enumerate(texts):
        (tmp_path / f"2021-{number // 28 + 1:02d}-{number % 28 + 1:02d}_01.txt").write_text(
            f"本报讯 第{number}条：{text}\n", encoding="utf-8")
    with Library.open(tmp_path / "a.sqlite3", seed_if_new=False) as library:
        assert library.import_paths([tmp_path]).ok
        result = library.search("哈哈", SearchOptions(limit=1))
        assert result.total == 8 and result.hits[0].matches == 1
        assert library.search("哈哈哈", SearchOptions(limit=1)).total == 8
        assert library.search("天气", SearchOptions(limit=1)).total == 92


@pytest.mark.parametrize("query", ["高质量发展", "乐山 高质量发展", "高质量发展 OR 茶叶", "乐山 -高质量发展"])
def test_counting_the_ranked_hits_gives_what_a_count_pass_gives(library, monkeypatch, query):
    """Filtered searches and searches of several terms with a term of four characters or more
    are counted from the ranking pass's hits (one-term unfiltered ones read their total from the
    scores); with the filters, every part of the results, and the same query counted by a pass
    of its own."""
    from leshan_reader.search import engine

    cases = [SearchOptions(limit=limit, offset=offset, date_from=date_from, page=page)
             for limit, offset in [(50, 0), (2, 0), (2, 3), (5, 100)]
             for date_from, page in [(None, None), ("2022", None), (None, 2), ("2023", None)]]
    kept = [library.search(query, options) for options in cases]
    monkeypatch.setattr(engine, "_KEEP_HITS_FROM_CHARS", 10_000)  # a count pass for every query
    counted = [library.search(query, options) for options in cases]
    assert any(result.total > 2 for result in kept)
    for options, one, other in zip(cases, kept, counted):
        assert one.total == other.total, options
        assert [(h.article_id, h.score, h.matches) for h in one.hits] == \
               [(h.article_id, h.score, h.matches) for h in other.hits], options


@pytest.mark.parametrize("spare", [64, 0])
@pytest.mark.parametrize("query", ["的", "乐", "发展", "乐山", "高质量发展", "乐 -山", "茶 OR 的"])
def test_walking_the_archive_by_date_gives_what_sorting_the_hits_gives(library, monkeypatch, query, spare):
    """A term in many articles is searched by date by walking the archive in date order; the
    seed archive's terms are made 'many' here. With no spare ids the walk goes in small chunks,
    and gives up where the ids jump (the undated 2021 pages were imported last but come first)."""
    from leshan_reader.search import engine

    cases = [SearchOptions(order="date", limit=n, offset=o) for n, o in [(1, 0), (3, 0), (3, 2), (50, 0), (2, 9)]]
    sorted_hits = [library.search(query, options) for options in cases]  # too few hits to walk
    outcomes = []
    walk = engine._walked_by_date

    def recorded(*args):
        page, total = walk(*args)
        outcomes.append(page is not None)
        return page, total

    monkeypatch.setattr(engine, "_walked_by_date", recorded)
    monkeypatch.setattr(engine, "WALK_FROM_HITS", 1)
    monkeypatch.setattr(engine, "_WALK_WITHIN_HITS", 1)
    monkeypatch.setattr(engine, "_WALK_SPARE", spare)
    walked_hits = [library.search(query, options) for options in cases]
    within = [options.offset + options.limit <= result.total for options, result in zip(cases, sorted_hits)]
    assert (outcomes == within) if spare else (True in outcomes and False in outcomes), outcomes
    for options, one, other in zip(cases, sorted_hits, walked_hits):
        assert one.total == other.total, options
        assert [(h.article_id, h.score, h.matches, h.snippet) for h in one.hits] == \
               [(h.article_id, h.score, h.matches, h.snippet) for h in other.hits], options


def test_the_date_order_is_the_order_of_the_archive_s_date_index(library):
    """The walk by date reads the index of migration 0007; an order that differs from the
    index's would sort the whole archive on every walk."""
    from leshan_reader.store import article_keys

    plan = library.conn.execute(
        f"EXPLAIN QUERY PLAN SELECT article_id FROM article_keys k ORDER BY {article_keys.DATE_ORDER}").fetchall()
    assert [row[-1] for row in plan] == ["SCAN k USING COVERING INDEX article_keys_by_date"]


@pytest.mark.parametrize("query", ["乐", "茶", "的", "区", "乐 -山", "茶 OR 的"])
def test_ranking_in_two_halves_gives_exactly_what_one_pass_gives(library, monkeypatch, query):
    """Large archives rank one-character queries in two halves of the article ids at once; the
    seed archive is made 'large' here, and every page of results, total and score must match."""
    import leshan_reader.search.engine as engine
    from leshan_reader.store.db import open_connection

    cases = [SearchOptions(limit=n, offset=o) for n, o in [(50, 0), (3, 0), (3, 2), (5, 40), (1, 1000)]]
    cases += [SearchOptions(limit=10, date_from="2022"), SearchOptions(limit=10, page=1)]
    helper = open_connection(library.path, read_only=True)
    try:
        for options in cases:
            one_pass = engine.search(library.conn, query, options)
            monkeypatch.setattr(engine, "PARALLEL_MIN_ARTICLES", 0)
            halves = engine.search(library.conn, query, options, open_helper=lambda: helper)
            monkeypatch.setattr(engine, "PARALLEL_MIN_ARTICLES", 20_000)
            assert halves.total == one_pass.total, options
            assert [(h.article_id, h.score, h.matches) for h in halves.hits] == \
                [(h.article_id, h.score, h.matches) for h in one_pass.hits], options
        token = CancelToken()
        token.cancel()
        monkeypatch.setattr(engine, "PARALLEL_MIN_ARTICLES", 0)
        with pytest.raises(Cancelled):
            engine.search(library.conn, query, SearchOptions(limit=5), token, open_helper=lambda: helper)
    finally:
        helper.close()


def test_the_library_ranks_in_halves_on_a_large_archive_and_falls_back_when_it_cannot(
        tmp_path, articles, monkeypatch):
    import leshan_reader.library as library_module
    import leshan_reader.search.engine as engine
    from leshan_reader.core.errors import ArchiveError
    from leshan_reader.library import Library

    monkeypatch.setattr(engine, "PARALLEL_MIN_ARTICLES", 0)  # the seeds count as large
    with Library.open(tmp_path / "a.sqlite3") as library:  # a limited search: halves apply
        assert found(library, "乐", limit=1000) == oracle(articles, "乐")
        assert library._helper is not None  # the helper connection was used

    def no_second_connection(*args, **kwargs):
        raise ArchiveError("no second connection here")

    with Library.open(tmp_path / "a.sqlite3") as library:
        monkeypatch.setattr(library_module, "open_connection", no_second_connection)
        assert found(library, "乐", limit=1000) == oracle(articles, "乐") and library._helper is None


def test_a_hit_shows_its_page_as_the_archive_has_it_now(library):
    """Hits show their page's number, file and date, remembered between searches (not read
    again while the archive is unchanged); a change to the page, by another connection or by
    the searching one, shows at the next search."""
    import sqlite3

    statements = []
    library.conn.set_trace_callback(statements.append)
    hits = library.search("乐山", SearchOptions(limit=10)).hits
    expected = {hit.article_id: (hit.page, hit.source, hit.date, hit.date_precision) for hit in hits}
    stored = {row[0]: tuple(row[1:]) for row in library.conn.execute(
        "SELECT a.id, p.page, p.source, i.date, i.date_precision FROM articles a "
        "JOIN pages p ON p.id = a.page_id JOIN issues i ON i.id = p.issue_id")}
    assert expected == {article_id: stored[article_id] for article_id in expected}
    assert len({hit.page_id for hit in hits}) > 1
    statements.clear()
    assert library.search("乐山", SearchOptions(limit=10)).hits == hits
    assert not any("FROM pages" in statement for statement in statements)
    library.conn.set_trace_callback(None)

    page_id = hits[0].page_id
    other = sqlite3.connect(library.path)
    with other:
        other.execute("UPDATE pages SET page = 99, source = 'renamed.txt' WHERE id = ?", [page_id])
    other.close()
    shown = [hit for hit in library.search("乐山", SearchOptions(limit=10)).hits if hit.page_id == page_id]
    assert shown and all((hit.page, hit.source) == (99, "renamed.txt") for hit in shown)

    library.conn.execute("UPDATE issues SET date = '1999-01-02' "
                         "WHERE id = (SELECT issue_id FROM pages WHERE id = ?)", [page_id])
    shown = [hit for hit in library.search("乐山", SearchOptions(limit=10)).hits if hit.page_id == page_id]
    assert shown and all(hit.date == "1999-01-02" for hit in shown)
