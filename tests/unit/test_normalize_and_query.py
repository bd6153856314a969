import functools
import re

import pytest

from leshan_reader.core.errors import QueryError
from leshan_reader.search.query import parse_query
from leshan_reader.text.normalize import (
    IGNORABLE_CLASS,
    PrintedTextPattern,
    _gap_chars,
    bigram_tokens,
    char_tokens,
    _fold_table,
    fold,
    fold_long,
    normalize,
    normalize_long,
    remove_ignorable,
)
from tests.conftest import REPORT_2021, SEED_FILES, SEEDS, seed_text


@pytest.mark.parametrize(
    "typed, folded",
    [
        ("樂山", "乐山"),
        ("習近平", "习近平"),
        ("著名", "着名"),
        ("衞生", "卫生"),
        ("３Ｄ打印", "3d打印"),
        ("LESHAN Daily", "leshandaily"),
        ("习近\n平", "习近平"),
        ("乐 山\u3000日报", "乐山日报"),
    ],
)
def test_normalize_folds_script_width_case_and_white_space(typed, folded):
    assert normalize(typed) == folded


def test_fold_keeps_every_offset():
    text = "樂山３Ｄ打印 ABC\n習近平"
    assert len(fold(text)) == len(text)


def test_the_importers_fold_folds_every_seed_page_as_the_searchs_fold_does():
    for path in SEED_FILES:
        text = seed_text(path.name)
        assert fold_long(text) == fold(text)
        assert normalize_long(text) == normalize(text)
    assert fold_long("樂山３Ｄ打印") == "乐山3d打印"


def test_the_importers_fold_agrees_on_every_foldable_character():
    # Each character the fold changes, among unchanged text, beside a full-width comma and
    # beside what it folds to: were a folded form to fold again (a table entry mapping to another
    # entry, as 112 did before fold version 2), one replacement after another would fold twice.
    for code, target in _fold_table().items():
        text = f"乐山{chr(code)}日报，{chr(code)}{target}\U0001f600"
        assert fold_long(text) == fold(text), hex(code)
    every = "".join(map(chr, _fold_table()))
    assert fold_long(every) == fold(every)


def test_folding_is_idempotent_and_folds_all_the_way():
    # A Kangxi radical folds by NFKC to a traditional character and that one by OpenCC to the
    # simplified one: the fold goes to the end of such chains in one step.
    table = _fold_table()
    assert [chr(code) for code, target in table.items() if ord(target) in table] == []
    assert fold("⾞站") == fold("車站") == "车站"
    assert normalize("⾼新区⾨⼝") == normalize("高新區門口") == "高新区门口"
    assert fold("\ufa5f名") == fold("著名")  # a compatibility ideograph
    assert fold("㊙密") == fold("秘密")


def test_the_importers_fold_on_a_page_in_traditional_script():
    # Hundreds of distinct foldable characters: folded in one pass, same result.
    traditional = "".join(chr(code) for code, target in _fold_table().items()
                          if 0x4E00 <= code <= 0x9FFF)[:400] * 3
    assert len(set(traditional)) > 300
    assert fold_long(traditional) == fold(traditional)


def test_several_terms_must_all_occur():
    parsed = parse_query("乐山  茶叶")
    assert parsed.groups == [["乐山"], ["茶叶"]]
    assert parsed.fts_expression() == '"乐山" AND "茶叶"'


def test_or_quotes_and_exclusion():
    parsed = parse_query('"乐山 大佛" OR 峨眉 -茶叶 AND 夹江')
    assert parsed.groups == [["乐山大佛", "峨眉"], ["夹江"]]
    assert parsed.excluded == ["茶叶"]
    assert parsed.fts_expression() == '("乐山 山大 大佛" OR "峨眉") AND "夹江" NOT "茶叶"'
    assert parse_query("乐 山").fts_expression() == '"乐" AND "山"'


@pytest.mark.parametrize(
    "typed, terms",
    [
        ('"乐山', ["乐山"]),  # unbalanced quote: the rest is a phrase
        ("NEAR(乐山", ["near(乐山"]),
        ("乐*", ["乐*"]),
        ("OR", ["or"]),
        ("乐山 OR", ["乐山", "or"]),
        ("a'; DROP TABLE pages; --", ["a';", "drop", "table", "pages;", "--"]),
        ('say ""hi""', ["say", "hi"]),
        ("(乐山)", ["(乐山)"]),
    ],
)
def test_hostile_input_is_searched_as_text(typed, terms):
    assert parse_query(typed).positive_terms == terms


@pytest.mark.parametrize("typed", ["", "   ", "\u3000", "-乐山", "\x00\x01"])
def test_queries_with_nothing_to_find_get_a_clear_message(typed):
    with pytest.raises(QueryError):
        parse_query(typed)


def test_an_over_long_query_gets_a_clear_message():
    with pytest.raises(QueryError, match="limit is 500"):
        parse_query("乐" * 10_000)


@pytest.mark.parametrize("text", ["", "乐", "乐山", "乐山日报", "a𠀀b", "x\udc80y", "3D打印，“六稳”"])
def test_index_tokens_are_every_character_and_every_pair(text):
    assert char_tokens(text) == " ".join(text)
    assert bigram_tokens(text) == " ".join(a + b for a, b in zip(text, text[1:]))


def test_index_tokens_of_a_whole_seed_page():
    text = normalize((SEEDS / REPORT_2021).read_text(encoding="utf-8"))
    assert char_tokens(text) == " ".join(text)
    pairs = bigram_tokens(text).split(" ")
    assert len(pairs) == len(text) - 1 and pairs[10] == text[10:12]


@pytest.mark.parametrize(
    "printed, span",
    [("他说习近平同志", (2, 5)), ("习近\n平", (0, 4)), ("他习\u200b近平", (1, 5)), ("习近 \ufeff平。", (0, 5)),
     ("習近平", (0, 3)), ("习 近\u2060\u200b平", (0, 6))],
)
def test_a_printed_text_pattern_gives_offsets_in_the_printed_text(printed, span):
    """White space, controls and zero-width characters may stand between the characters of a
    match; the span covers them, in the text as printed."""
    assert PrintedTextPattern(normalize("習近平")).spans(printed) == [span]
    assert PrintedTextPattern("习近平").spans("习近 平\u200b习进平") == [(0, 4)]
    assert PrintedTextPattern("习近平").spans("习进平\u200b") == []


def _regex_oracle(term: str) -> re.Pattern[str]:
    """The same search as a regular expression: each character the class of its printed forms,
    the ignorable class between every two."""
    forms = _printed_forms()
    classes = ["[" + "".join(re.escape(form) for form in forms.get(char, char)) + "]" for char in term]
    return re.compile((IGNORABLE_CLASS + "*").join(classes))


@functools.cache
def _printed_forms() -> dict[str, str]:
    every = "".join(chr(code) for code in range(0x30000) if not 0xD800 <= code < 0xE000)
    forms: dict[str, str] = {}
    for printed, folded in zip(every, fold(every)):
        forms[folded] = forms.get(folded, "") + printed
    return forms


PATTERN_CASES = [
    ("乐山", "樂山 乐\n山樂\u200b山乐 水 山"),
    ("哈哈", "哈哈哈哈哈"),  # overlapping candidates: leftmost, then after the match
    ("3d打印", "３Ｄ打印 3d 打\u3000印 ③D打印 𝟑𝐃打印"),  # first character with a dozen forms
    ("abc", "ABC ａｂｃ a b\tc Ⓐbc aab abab"),
    ("的", "的\n的的 的"),
    ("习近平", "习近" + "\x85\u2028\u3000\xa0\x00\x7f" + "平"),
    ("aba", "ababa abab\na ba"),  # overlaps whichever character anchors the match
    ("乐山", "\n山乐\n\n山山乐"),  # gaps and characters before the text's first match
    (",目前", "，目前,目\n前，，目前目前"),  # a comma first: the rarest character anchors
]


@pytest.mark.parametrize("term, printed", PATTERN_CASES)
def test_printed_text_pattern_finds_what_a_regular_expression_finds(term, printed):
    expected = [m.span() for m in _regex_oracle(term).finditer(printed)]
    assert PrintedTextPattern(term).spans(printed) == expected
    assert PrintedTextPattern(term, sample=printed).spans(printed) == expected


@pytest.mark.parametrize("term, printed", PATTERN_CASES)
def test_whichever_character_anchors_a_pattern_the_matches_are_the_same(term, printed, monkeypatch):
    """The anchor (the character found with str.find) is chosen by rarity; every choice must
    give the regular expression's matches, overlaps and gaps included."""
    import leshan_reader.text.normalize as normalize_module

    expected = [m.span() for m in _regex_oracle(term).finditer(printed)]
    for anchor in range(len(term)):
        monkeypatch.setattr(normalize_module, "_rarest", lambda members, sample, anchor=anchor: anchor)
        assert PrintedTextPattern(term, sample="x").spans(printed) == expected, anchor


def test_printed_text_pattern_agrees_with_a_regular_expression_on_a_seed_page():
    text = (SEEDS / REPORT_2021).read_text(encoding="utf-8")
    folded = normalize(text)
    terms = {folded[i:i + length] for length in (1, 2, 3, 5, 8) for i in range(0, len(folded) - length, 397)}
    for term in sorted(terms):
        expected = [m.span() for m in _regex_oracle(term).finditer(text)]
        assert PrintedTextPattern(term).spans(text) == expected, term
        assert PrintedTextPattern(term, sample=text).spans(text) == expected, term
        assert expected, term  # every term was cut from the page, so each must be found


def test_ignorable_characters_are_exactly_the_gap_and_fold_to_nothing_searchable():
    """Gaps are skipped greedily: exact only if no gap character can stand for a term's character."""
    ignorable = re.compile(IGNORABLE_CLASS)
    matching = {chr(code) for code in range(0x30000)
                if not 0xD800 <= code < 0xE000 and ignorable.fullmatch(chr(code))}
    assert _gap_chars() == matching
    assert all(normalize(char) == "" for char in matching)


def test_removing_ignorable_characters_removes_exactly_the_class():
    every = "".join(chr(code) for code in range(0x110000) if not 0xD800 <= code < 0xE000)
    gapped = "".join(f"a{char}\u200b{char}b" for char in "\n \u3000\x1f\x85\xa0\t\x00")
    for text in (every, gapped, every[::-1], "乐 山\n\n日报"):
        assert remove_ignorable(text) == re.sub(IGNORABLE_CLASS, "", text)
    assert remove_ignorable("乐 山\n\n日\u200b报\ufeff") == "乐山日报"
