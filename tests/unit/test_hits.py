"""Hits made from the term as printed (counted in the text's bytes, only the snippet's window
decoded) must be exactly the hits made by matching the whole text, gaps and variant forms allowed."""

import pytest

from leshan_reader.search import hits
from leshan_reader.search.engine import SearchOptions
from tests.unit.test_search import sampled_substrings


TYPED_HIT = hits._TypedHits.hit


def searched_both_ways(library, monkeypatch, queries, options_list):
    """[(query, options, hits made as printed where they can be, hits all matched in full)],
    and how many hits were made from the term as printed."""
    made_typed = []

    def spied(self, row, weight):
        hit = TYPED_HIT(self, row, weight)
        made_typed.append(hit is not None)
        return hit

    monkeypatch.setattr(hits._TypedHits, "hit", spied)
    fast = [(query, options, library.search(query, options)) for query in queries for options in options_list]
    typed = sum(made_typed)
    monkeypatch.setattr(hits._TypedHits, "hit", lambda self, row, weight: None)
    out = []
    for query, options, result in fast:
        full = library.search(query, options)
        assert result.total == full.total, (query, options)
        out.append((query, options, result.hits, full.hits))
    return out, typed


OPTIONS = [SearchOptions(limit=50), SearchOptions(limit=3, offset=2), SearchOptions(order="date", limit=20),
           SearchOptions(date_from="2022", limit=10), SearchOptions()]


@pytest.mark.parametrize("length", [1, 2, 3, 5, 8, 12])
def test_hits_from_the_printed_term_equal_hits_matched_in_full_on_the_seeds(library, articles, monkeypatch,
                                                                           length):
    queries = sampled_substrings(articles, length, 12, seed=900 + length)
    queries += ["乐山", "金口河区", "習近平", "习近平", "六稳", "３Ｄ打印", "发展,", "，"]
    compared, typed = searched_both_ways(library, monkeypatch, queries, OPTIONS)
    for query, options, made, matched in compared:
        assert made == matched, (query, options)
    assert sum(len(made) for *_, made, _ in compared) > 100
    assert typed > 100  # the comparison is of the fast way, not of the full matching with itself


def _archive(tmp_path, texts):
    from leshan_reader.library import Library

    for number, text in enumerate(texts):
        (tmp_path / f"2021-{number // 28 + 1:02d}-{number % 28 + 1:02d}_01.txt").write_text(
            text + "\n", encoding="utf-8")
    library = Library.open(tmp_path / "a.sqlite3", seed_if_new=False)
    assert library.import_paths([tmp_path]).ok
    return library


FILLER = "城市建设稳步推进，群众生活持续改善。"


def test_snippet_windows_cut_inside_characters_and_at_the_ends_of_the_text(tmp_path, monkeypatch):
    """A window of bytes ends inside a character (four-byte ones too, 𠮷), the term stands at the
    start or the end of the text, exactly as far from them as a snippet shows or one character
    more, several times in the window, is printed with a full-width comma or in a headline; and
    once split by a space or printed in traditional script beside typed occurrences, where the
    hit is matched in full."""
    thirty, fifty = (FILLER * 2)[:30], (FILLER * 3)[:50]
    texts = [
        "茶园" + FILLER * 6,
        FILLER * 6 + "茶园",
        FILLER * 2 + "𠮷" * 45 + "茶园" + "𠮷" * 55 + FILLER * 2,
        thirty + "茶园" + fifty,
        "城" + thirty + "茶园" + fifty + "城",
        "a" * 29 + "茶园" + "b" * 49,
        FILLER + "茶园茶园，茶园" + FILLER * 3 + "茶园",
        FILLER + "茶 园" + FILLER + "茶园" + FILLER,
        FILLER + "茶園" + FILLER + "茶园" + FILLER,
        FILLER * 2 + "发展，茶园" + FILLER,
        "笑声哈哈哈不断。" + FILLER,
    ] + [FILLER * 2] * 30
    with _archive(tmp_path, texts) as library:
        compared, typed = searched_both_ways(
            library, monkeypatch, ["茶园", "园", "茶园茶园", "哈哈", "𠮷茶"],
            [SearchOptions(limit=50), SearchOptions(order="date", limit=5)])
        for query, options, made, matched in compared:
            assert made == matched, (query, options)
        assert typed >= 10
        hits = library.search("茶园").hits
        snippets = [hit.marked_snippet() for hit in hits]
        assert "⟦茶园⟧" + (FILLER * 6)[:50] + "…" in snippets  # at the start: no ellipsis
        assert "…" + (FILLER * 6)[-30:] + "⟦茶园⟧" in snippets  # nor at the end
        assert "…" + "𠮷" * 30 + "⟦茶园⟧" + "𠮷" * 50 + "…" in snippets
        assert thirty + "⟦茶园⟧" + fifty in snippets
        assert "…" + thirty + "⟦茶园⟧" + fifty + "…" in snippets
        assert "a" * 29 + "⟦茶园⟧" + "b" * 49 in snippets  # a headline, shown whole
        assert any(s.count("⟦茶园⟧") == 3 for s in snippets)
        assert sorted(hit.matches for hit in hits) == [1] * 7 + [2, 2, 4]


def test_a_printed_form_is_learnt_from_a_hit_matched_in_full(tmp_path, monkeypatch):
    """The query ``展,茶`` is folded from the printed ``展，茶``: its first hit is matched in full,
    the others are counted in the form it printed."""
    texts = [FILLER * 2 + f"发展，茶园第{n}号" + FILLER for n in range(10)] + [FILLER * 2] * 30
    with _archive(tmp_path, texts) as library:
        compared, typed = searched_both_ways(library, monkeypatch, ["展,茶"], [SearchOptions(limit=50)])
        assert len(compared[0][2]) == 10 and typed == 9  # the first hit is matched in full
        compared, typed = searched_both_ways(library, monkeypatch, ["茶园第"], [SearchOptions(limit=50)])
        assert len(compared[0][2]) == 10 and typed == 10  # typed as printed: none is
