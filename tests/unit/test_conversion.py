"""Simplified/traditional conversion: OpenCC's own test cases, one-to-many characters, spans."""

import pytest

from leshan_reader.conversion import SCRIPTS, conversion_choices, convert, to_script, to_script_with_spans
from tests.opencc_cases import CONFIGS, cases_for


@pytest.mark.parametrize("config", CONFIGS)
def test_every_published_opencc_case_passes(config):
    failures = [(case_id, expected, convert(text, config))
                for case_id, text, expected in cases_for(config) if convert(text, config) != expected]
    assert failures == []


@pytest.mark.parametrize("printed, script, expected", [
    ("软件", "twp", "軟體"),  # Taiwan phrases
    ("软件", "tw", "軟件"),  # Taiwan characters only
    ("头发", "hant", "頭髮"), ("发展", "hant", "發展"),
    ("干部", "hant", "幹部"), ("干燥", "hant", "乾燥"), ("若干", "hant", "若干"),
    ("皇后", "hant", "皇后"), ("后来", "hant", "後來"),
    ("里面", "tw", "裡面"), ("里面", "hk", "裏面"), ("公里", "hant", "公里"),
    ("乐山日报", "hans", "乐山日报"),
])
def test_one_to_many_characters_are_chosen_by_phrase(printed, script, expected):
    assert to_script(printed, script) == expected


def test_the_converter_shows_which_choices_it_made():
    printed = "皇后后来梳头发"
    converted = to_script(printed, "hant")
    choices = {(c.index, c.printed, c.chosen, c.candidates) for c in conversion_choices(printed, converted, "hant")}
    assert choices == {(1, "后", "后", "後后"), (2, "后", "後", "後后"), (6, "发", "髮", "發髮")}
    tw = to_script("里面", "tw")
    assert conversion_choices("里面", tw, "tw")[0].candidates == "裡里"  # Taiwan spelling of 裏
    assert conversion_choices("里面", "里面", "hans") == []


def test_spans_follow_a_conversion_that_changes_length():
    text = "使用U盘的人"
    converted, spans = to_script_with_spans(text, [(2, 4), (5, 6)], "twp")
    assert converted == "使用隨身碟的人"
    assert [converted[s:e] for s, e in spans] == ["隨身碟", "人"]


def test_scripts_offered_to_readers():
    assert list(SCRIPTS) == ["hans", "hant", "tw", "twp", "hk"]
    with pytest.raises(ValueError):
        to_script("乐山", "klingon")
