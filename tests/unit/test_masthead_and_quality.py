from leshan_reader.core.dates import PartialDate
from leshan_reader.ingest.masthead import find_masthead
from leshan_reader.ingest.quality import quality_notes
from leshan_reader.ingest.reflow import reflow
from tests.conftest import FRONT_2021, REPORT_2021, SEED_FILES, seed_paragraphs


def test_the_front_page_masthead_is_page_metadata():
    masthead = find_masthead(seed_paragraphs(FRONT_2021))
    assert masthead.date == PartialDate(2021, 9, 15)
    assert masthead.fields["pages_in_issue"] == 4
    assert masthead.fields["issue_number"] == 11378
    assert masthead.fields["editor_in_chief"] == "王大强"
    assert masthead.fields["duty_editor"] == "罗学锋"
    assert masthead.fields["weekday"] == "星期三"
    assert masthead.fields["weather"].startswith("白天到晚上小到中雨")
    assert masthead.warnings == []
    # The bank advert below the masthead is not part of it.
    assert "会存钱 惠生活" not in [p.text for p in seed_paragraphs(FRONT_2021)[: masthead.paragraph_count]]


def test_pages_without_a_masthead_have_none():
    for path in SEED_FILES[1:]:
        assert find_masthead(seed_paragraphs(path.name)) is None, path.name


def test_a_body_date_is_not_taken_for_a_masthead_date():
    paragraphs = reflow("2021年9月14日，中央第五生态环境保护督察组向我市移交信访件5件。\n")
    assert find_masthead(paragraphs) is None


def test_a_weekday_that_contradicts_the_date_is_reported():
    paragraphs = reflow("乐山日报\n\n2021年9月15日\n\n星期五\n\n今日4版\n\n总第11378期\n")
    masthead = find_masthead(paragraphs)
    assert masthead.warnings and "星期三" in masthead.warnings[0]


def test_the_duplicated_passage_on_the_2021_front_page_is_reported():
    paragraphs = seed_paragraphs(FRONT_2021)
    notes = [n for n in quality_notes(paragraphs) if n["kind"] == "repeated_passage"]
    assert len(notes) == 1
    repeated = paragraphs[notes[0]["paragraph"]].text[notes[0]["start"]:notes[0]["end"]]
    assert repeated.startswith("制定《关于深化机关党组织和在职党员到社区报到助推城市基层治理的通知》")
    assert repeated.endswith("对高于100分的单位进行社区荣誉奖励。")
    assert paragraphs[notes[0]["same_as"]].text.startswith("建立区域化党建双向认领机制")


def test_the_stray_english_word_in_the_report_is_reported():
    paragraphs = seed_paragraphs(REPORT_2021)
    notes = [n for n in quality_notes(paragraphs) if n["kind"] == "stray_latin"]
    assert [paragraphs[n["paragraph"]].text[n["start"]:n["end"]] for n in notes] == ["and"]


def test_the_quick_letter_test_finds_what_the_letter_class_finds():
    """Stray words are looked for only in paragraphs with a letter of them, found by a faster
    test than the case-insensitive class it stands for: the same answer for every character."""
    from leshan_reader.ingest.quality import _WORD_LETTER, may_hold_a_word

    every = "".join(chr(code) for code in range(0x110000) if not 0xD800 <= code < 0xE000)
    letters = set(_WORD_LETTER.findall(every))
    assert all(may_hold_a_word(f"乐山{letter}日报") for letter in letters)
    assert not may_hold_a_word("".join(char for char in every if char not in letters))
    assert not may_hold_a_word("乐山日报 2021，GBK")
