"""The glossary: extraction from the seed report's 名词解释 appendix, aliases, matching, look-up."""

import pytest

from leshan_reader.conversion import convert
from leshan_reader.glossary import Entry, GlossaryMatcher, aliases_for, extract_entries, match_key
from leshan_reader.ingest.reflow import reflow
from tests.conftest import REPORT_2021, SEEDS, seed_paragraphs

# The 41 terms of the seed appendix, in printed order (read off the page by hand).
SEED_TERMS = [
    "半小时交通圈", "四好农村路", "“两通”目标", "一城两新区", "一总部三基地",
    "成都航空口岸过境144小时免签政策停留城市", "“553”企业", "彝区“一村一幼”“一村一医”",
    "“六稳”“六保”", "两手抓", "春风行动", "工业“4+1”主导产业", "两不愁三保障", "“六个一批”就业行动",
    "五馆一站", "乐易办", "两个大局", "全省“一轴两翼三带”区域经济布局", "两核两圈两带九组团",
    "“三线四区一湖六湿地”", "一主一副四星多点", "“三维五网”立体化交通布局", "韧性城市", "海绵城市",
    "高新区“一区六园”", "“2+6”现代服务业体系", "“8+3”现代农业体系", "土壤地图", "多规合一", "四个不摘",
    "百企帮百村", "“五联三融”工程", "“学前学会普通话”行动", "金通工程", "疫情防控“四早”要求",
    "养老七大服务提质行动", "紧密型医联体", "“三无”老旧小区", "公共法律服务“三大平台”", "“三公”经费",
    "党风廉政建设“一岗双责”",
]


@pytest.fixture(scope="module")
def seed_entries():
    return extract_entries(seed_paragraphs(REPORT_2021))


def test_all_41_entries_of_the_seed_appendix_and_nothing_else(seed_entries):
    assert [e.term for e in seed_entries] == SEED_TERMS


def test_definitions_are_whole_across_column_breaks_and_paragraphs(seed_entries):
    by_term = {e.term: e.definition for e in seed_entries}
    assert by_term["四好农村路"] == "指建好、管好、护好、运营好农村公路。"  # split by a column break
    assert by_term["乐易办"].startswith("指乐山市政务服务品牌。\n通过推动政务服务线上线下两线融合")
    assert by_term["乐易办"].endswith("让企业群众办事更容易、更便捷。")  # the next paragraph
    # entries run together on one line end where the next term begins
    assert by_term["“两通”目标"] == "指建制村通硬化路、通客车。"
    assert by_term["“553”企业"] == "指世界500强、国内500强、行业前三强企业。"
    assert by_term["党风廉政建设“一岗双责”"].endswith("也要对职责范围内的党风廉政建设负责。")
    # the public-service advert printed after the report is not part of any entry
    assert not any("公益广告" in d or "食品安全" in d for d in by_term.values())


def test_aliases_give_the_forms_writers_use():
    assert aliases_for("“553”企业") == ["553企业"]
    assert aliases_for("“六稳”“六保”") == ["六稳六保", "六稳", "六保"]
    assert "四早" in aliases_for("疫情防控“四早”要求")
    assert "一岗双责" in aliases_for("党风廉政建设“一岗双责”")
    assert aliases_for("工业“4+1”主导产业") == ["工业4+1主导产业"]  # "4+1" alone would mark numbers
    assert aliases_for("多规合一") == []


def test_match_key_ignores_quote_style_and_script():
    assert match_key("“六稳”“六保”") == match_key('"六稳""六保"') == match_key("「六穩」「六保」") == "六稳六保"


@pytest.fixture(scope="module")
def matcher(seed_entries):
    return GlossaryMatcher([Entry(i, e.term, tuple(e.aliases)) for i, e in enumerate(seed_entries)])


@pytest.mark.parametrize("typed, expected", [
    ("六稳六保", "“六稳”“六保”"), ("553企业", "“553”企业"), ("四早", "疫情防控“四早”要求"),
    ("一岗双责", "党风廉政建设“一岗双责”"), ("六穩", "“六稳”“六保”"), ("「三公」經費", "“三公”经费"),
    ("乐易办服务品牌", "乐易办"),  # the longest term that starts the text
    ("湿地", "“三线四区一湖六湿地”"),  # a term that contains the text
])
def test_lookup_by_everyday_forms(matcher, typed, expected):
    assert matcher.entries[matcher.lookup(typed)[0]].term == expected


def test_lookup_of_text_no_term_contains_is_empty(matcher):
    assert matcher.lookup("茶叶") == []
    assert matcher.lookup("“”") == []


def test_marking_finds_the_longest_term_and_keeps_quotes(matcher):
    text = "落实“三线四区一湖六湿地”生态，引进一批“553”企业，做好“六稳”“六保”工作，推进多规合一。"
    found = [(text[m.start:m.end], m.term) for m in matcher.find(text)]
    assert found == [
        ("三线四区一湖六湿地", "“三线四区一湖六湿地”"), ("“553”企业", "“553”企业"),
        ("“六稳”“六保”", "“六稳”“六保”"), ("多规合一", "多规合一"),
    ]


def test_short_quoted_parts_are_marked_only_where_quoted(matcher):
    assert [m.term for m in matcher.find("落实“三公”经费管理，步行三公里")] == ["“三公”经费"]
    assert [m.term for m in matcher.find("这是“三无”小区")] == ["“三无”老旧小区"]
    assert matcher.find("三无小区在三公里外") == []


def test_marking_works_on_traditional_text(matcher):
    text = convert("做好六稳六保，落实疫情防控“四早”要求", "s2tw")
    found = [(text[m.start:m.end], m.term) for m in matcher.find(text)]
    assert found == [("六穩六保", "“六稳”“六保”"), ("疫情防控“四早”要求", "疫情防控“四早”要求")]


def test_longest_at_is_a_popup_dictionary_lookup(matcher):
    text = "推进三线四区一湖六湿地建设"
    assert matcher.longest_at(text, 2).term == "“三线四区一湖六湿地”"
    assert matcher.longest_at(text, 0) is None


def test_plain_colon_forms_and_other_headings_are_read_too():
    page = ("附件：名词解释\n\n本报告中的部分用语说明如下。\n\n两手抓：指一手抓疫情防控，一手抓经济社会发展。春风行动：指点对点运输服务。\n\n"
            "韧性城市:指能够抵御灾害的城市。\n\n本报讯 记者 张清 报道\n")
    entries = extract_entries(reflow(page))
    assert [(e.term, e.definition) for e in entries] == [
        ("两手抓", "指一手抓疫情防控，一手抓经济社会发展。"), ("春风行动", "指点对点运输服务。"),
        ("韧性城市", "指能够抵御灾害的城市。"),
    ]


def test_a_page_without_an_appendix_has_no_entries():
    assert extract_entries(seed_paragraphs(sorted(p.name for p in SEEDS.glob("*.txt"))[0])) == []


def test_the_archive_keeps_every_definition_with_its_source(library):
    entries = library.glossary()
    assert len(entries) == 41
    six = library.glossary("六稳六保")[0]
    assert (six["term"], six["source_title"], six["page"], six["source"], six["date"]) == (
        "“六稳”“六保”", "2021年政府工作报告", 3, REPORT_2021, "2021")


def test_a_later_report_defining_a_term_again_is_listed_first(library, tmp_path):
    page = tmp_path / "2023-02-10_03.txt"
    page.write_text("政府工作报告\n\n各位代表。\n\n## 名词解释\n\n**“六稳”“六保”:**指2023年的新说法。\n", encoding="utf-8")
    library.import_paths([page])
    found = library.glossary("六稳六保")
    assert [e["date"] for e in found] == ["2023-02-10", "2021"]
    assert found[0]["definition"] == "指2023年的新说法。" and found[0]["source_title"] == "2023年政府工作报告"


def test_page_articles_carry_term_offsets_but_not_inside_the_appendix(library):
    feature = library.page(5)
    marked = {a["text"][t["start"]:t["end"]] for a in feature["articles"] for t in a["terms"]}
    assert {"六稳六保", "多规合一"} <= marked
    report = library.page(4)
    appendix = next(a for a in report["articles"] if a["title"] == "名词解释和说明")
    assert appendix["terms"] == []
    body_terms = {t["term"] for a in report["articles"] if a is not appendix for t in a["terms"]}
    assert {"乐易办", "金通工程", "百企帮百村", "“553”企业"} <= body_terms


def test_where_a_term_occurs_in_the_archive(library):
    entry = library.glossary("多规合一")[0]
    pages = library.term_pages(entry["id"])
    assert [(p["page_id"], p["count"]) for p in pages] == [(5, 1)]  # not its own definition


def test_a_traditional_script_page_yields_a_glossary_too(library, tmp_path):
    traditional = convert((SEEDS / REPORT_2021).read_text(encoding="utf-8"), "s2t")
    (tmp_path / "2021-01-20_03.txt").write_text(traditional, encoding="utf-8")
    library.import_paths([tmp_path / "2021-01-20_03.txt"])
    entries = [e for e in library.glossary() if e["date"] == "2021-01-20"]
    assert len(entries) == 41 and entries[8]["term"] == "“六穩”“六保”"
    assert library.glossary("六稳六保")[0]["date"] == "2021-01-20"


def test_an_archive_from_before_glossaries_gets_one_on_upgrade(library):
    path = library.path
    library.conn.executescript("""
        DROP TABLE glossary;
        CREATE TABLE glossary (id INTEGER PRIMARY KEY, page_id INTEGER NOT NULL REFERENCES pages (id)
            ON DELETE CASCADE, seq INTEGER NOT NULL, term TEXT NOT NULL, aliases TEXT NOT NULL DEFAULT '[]',
            definition TEXT NOT NULL);
        DELETE FROM _sqlite_migrations WHERE name = '0002_glossary_sources';
    """)
    library.close()
    from leshan_reader.library import Library

    with Library.open(path) as upgraded:  # the 0002 step runs and extracts from the stored pages
        entries = upgraded.glossary()
        assert len(entries) == 41 and entries[0]["source_title"] == "2021年政府工作报告"
        appendix = next(a for a in upgraded.page(4)["articles"] if a["title"] == "名词解释和说明")
        assert appendix["terms"] == [] and entries[0]["article_id"] == appendix["id"]
