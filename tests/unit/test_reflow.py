"""Reflow on the real seed pages: each OCR break the pages contain, named."""

import re

import pytest

from leshan_reader.ingest.reflow import (
    BODY,
    HEADING,
    LINE,
    continuation_links,
    ends_sentence,
    ends_with_continuation,
    reflow,
)
from leshan_reader.text.normalize import normalize
from tests.conftest import (
    FEATURE_2021,
    FRONT_2021,
    FRONT_2022_06,
    FRONT_2022_07,
    REPORT_2021,
    SEED_FILES,
    seed_paragraphs,
    seed_text,
)


def paragraph_with(name, needle):
    matches = [p for p in seed_paragraphs(name) if needle in p.text]
    assert len(matches) >= 1, f"no paragraph of {name} contains {needle!r}"
    return matches[0]


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_no_character_is_lost_or_added(path):
    text = seed_text(path.name)
    without_markup = re.sub(r"^#+\s", "", text, flags=re.M).replace("**", "")
    reading = "\n".join(p.text for p in reflow(text))
    assert normalize(reading) == normalize(without_markup)


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_running_text_is_never_left_cut_mid_sentence(path):
    paragraphs = seed_paragraphs(path.name)
    for first, second in zip(paragraphs, paragraphs[1:]):
        if first.kind == BODY and second.kind == BODY:
            assert ends_sentence(first.text) or ends_with_continuation(first.text), (
                f"{first.text[-20:]!r} | {second.text[:20]!r}"
            )


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_markup_does_not_reach_the_reading_text(path):
    for paragraph in seed_paragraphs(path.name):
        assert "**" not in paragraph.text
        assert not paragraph.text.startswith("#")


# --- column breaks with a blank line in mid-word -------------------------------------------

@pytest.mark.parametrize(
    "name, joined",
    [
        (FRONT_2021, "提供个性化工作服务"),
        (FRONT_2021, "且连续3年排名全省第二"),
        (FRONT_2021, "充分运用法治思维和法治方式"),
        (FRONT_2021, "给予肯定，同时希望"),
        (FRONT_2022_06, "坚持边改革、边检验、边推广"),
        (FRONT_2022_06, "以“时时放心不下”的责任感"),
        (FRONT_2022_06, "石一西伍在乐美鞋业扶贫工厂食堂"),
        (FRONT_2022_06, "由于工作业绩突出"),
        (FRONT_2022_06, "确定了非公企业党建“红领带”、“一肩挑”村党组织书记权力运行监督等“一县一项”12个"),
        (FRONT_2022_07, "吸引辖区内各大商家组建“商社联盟”"),
        (FRONT_2022_07, "晖宣讲习近平总书记"),
        (REPORT_2021, "让各类市场主体放心创业、安心发展。"),
        (REPORT_2021, "全面完成城乡住房灾后维修加固和重建"),
        (REPORT_2021, "实施应急管理能力三年提升计划"),
        (REPORT_2021, "四好农村路:指建好、管好、护好、运营好农村公路。"),
    ],
)
def test_column_breaks_are_joined(name, joined):
    assert paragraph_with(name, joined).kind == BODY


def test_hard_wrapped_lines_join_without_spaces_between_chinese_characters():
    paragraph = paragraph_with(FRONT_2022_06, "关于安全生产、防灾减灾救灾工作")
    assert "习近平总书记关于安全生产" in paragraph.text
    assert "\n" not in paragraph.text


def test_justified_spacing_inside_chinese_text_is_removed():
    assert "平安满意度测评在全省排名涨幅达311.7%" in paragraph_with(FRONT_2022_07, "平安满意").text
    assert "6月28日，市委副书记" in paragraph_with(FRONT_2022_06, "深入峨边彝族自治县").text


def test_the_printed_gap_in_a_byline_is_kept():
    assert paragraph_with(FRONT_2022_06, "全市2022年第二季度安全生产").text.startswith("本报讯（记者 张清）")


def test_latin_words_keep_one_space():
    assert "抓好平安创建活动 and 基层治理创新" in paragraph_with(REPORT_2021, "平安创建").text
    assert paragraph_with(FRONT_2021, "LESHAN").text == "LESHAN DAILY"


def test_a_short_line_ending_a_sentence_ends_its_paragraph():
    paragraph = paragraph_with(FRONT_2022_06, "一日三餐也不用操心")
    assert paragraph.text.endswith("一日三餐也不用操心。")
    assert paragraph_with(FRONT_2022_06, "良好的福利待遇").text.startswith("良好的福利待遇和工作环境")


# --- lines that stay lines ---------------------------------------------------------------

@pytest.mark.parametrize(
    "name, line",
    [
        (FRONT_2021, "市政府召开第146次常务会议"),
        (FRONT_2021, "中央生态环保督察组 值班电话和邮箱"),
        (FRONT_2021, "金口河区： 坚守绿水青山 推动绿色发展"),
        (FRONT_2021, "总编辑：王大强 值班编委：罗学锋"),
        (FRONT_2022_06, "抓实抓细安全生产防汛减灾工作"),
        (FRONT_2022_06, "切实维护人民群众生命财产安全"),
        (FRONT_2022_06, "■ 记者 鲁倩文"),
        (FRONT_2022_06, "生产车间一派繁忙"),
        (FRONT_2022_07, "茶香满溢 强农富农"),
        (FRONT_2022_07, "——回访夹江县新场镇团结村茶农、技术人员"),
        (FEATURE_2021, "吴坤容 摄"),
        (FEATURE_2021, "1985年 工农业总产值 1.65 亿元 财政收入 1863 万元"),
    ],
)
def test_headlines_bylines_and_captions_stay_their_own_lines(name, line):
    kinds = [p.kind for p in seed_paragraphs(name) if p.text == line]
    assert kinds == [LINE]


def test_an_article_cut_before_a_boxed_notice_is_not_joined_to_the_box():
    paragraph = paragraph_with(FRONT_2021, "先后建设企业污水设施12套")
    assert paragraph.text.endswith("先后建设企业污水设施12套，")


def test_ocr_headings_become_headings():
    assert paragraph_with(REPORT_2021, "政府工作报告").kind == HEADING
    heading = paragraph_with(FEATURE_2021, "强化顶层设计")
    assert (heading.kind, heading.level) == (HEADING, 2)


def test_bold_run_in_heads_start_paragraphs_and_keep_their_emphasis():
    section = paragraph_with(REPORT_2021, "六、促进全面脱贫与乡村振兴有效衔接。")
    assert section.text.startswith("六、促进全面脱贫")
    assert section.bold[0] == (0, len("六、促进全面脱贫与乡村振兴有效衔接。"))
    entry = paragraph_with(REPORT_2021, "“两通”目标:")
    assert entry.text == "“两通”目标:指建制村通硬化路、通客车。"
    assert entry.text[slice(*entry.bold[0])] == "“两通”目标:"


def test_continuation_notes_are_found():
    page = "\n".join(p.text for p in seed_paragraphs(FRONT_2022_06))
    found = {(link["direction"], link["page"]) for link in continuation_links(page)}
    assert found == {("to", 2)}
    report = "\n".join(p.text for p in seed_paragraphs(REPORT_2021))
    assert {(l["direction"], l["page"]) for l in continuation_links(report)} == {("from", 2)}
    assert continuation_links("（下转第三版）")[0]["page"] == 3


def test_ends_sentence_is_the_sentence_end_pattern_on_every_seed_line():
    """ends_sentence strips closing quotes and checks one character; it must say what the
    pattern it replaced says: end punctuation, then only closing quotes or brackets."""
    pattern = re.compile(r"[。！？!?；;…]+[”’」』）)\]】〕]*$")

    def by_pattern(text: str) -> bool:
        visible = text[-64:].replace("**", "").rstrip()
        return bool(pattern.search(visible)) or visible.endswith("——")

    lines = [line.strip() for path in SEED_FILES for line in seed_text(path.name).split("\n")]
    made = ["。", "”", "。”", "好。」", "——", "", "x)", "！）", "；】〕", "…", "。 ", "?\n",
            "完成。**", "**目标：**", "”。", "。a”", "（）", "】"]
    for line in lines + made:
        assert ends_sentence(line) == by_pattern(line), line
    assert sum(map(ends_sentence, lines)) > 50  # the seed pages end many lines with a sentence


def test_the_space_patterns_remove_what_their_plain_forms_remove():
    """The spaces between CJK characters and beside digits are found by patterns that begin with
    the space (faster); they must find what the plain look-behind patterns find, on every seed
    line and on every short string of CJK, digits, letters and the three kinds of space."""
    import itertools

    from leshan_reader.ingest import reflow as module

    cjk, space = f"[{module._CJK}]", "[ \t\u3000]"
    plain_between = re.compile(f"(?<={cjk}){space}+(?={cjk})")
    plain_digit = re.compile(f"(?<={cjk}){space}+(?=[0-9])|(?<=[0-9]){space}+(?={cjk})")
    lines = [line for path in SEED_FILES for line in seed_text(path.name).split("\n")]
    made = ["".join(chars) for length in range(1, 6)
            for chars in itertools.product("中1a \t\u3000，", repeat=length)]
    spans = lambda pattern, text: [m.span() for m in pattern.finditer(text)]  # noqa: E731
    for text in lines + made:
        assert spans(module._SPACE_BETWEEN_CJK, text) == spans(plain_between, text), repr(text)
        assert spans(module._SPACE_CJK_DIGIT, text) == spans(plain_digit, text), repr(text)
    assert sum(bool(module._SPACE_BETWEEN_CJK.search(line)) for line in lines) > 5
