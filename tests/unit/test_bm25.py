"""The count read back from a bm25 score (store.bm25), on the statistics of a five-year archive."""

import pytest

from leshan_reader.store.bm25 import Bm25, holding_from_score

FIVE_YEARS = (56_147, [1_400_000, 48_500_000])  # articles; tokens in headlines and bodies


@pytest.mark.parametrize("holding", [1, 2, 3, 50, 999, 1_000, 14_779, 28_000, 28_073])
@pytest.mark.parametrize("weight", [1, 2, 5, 6, 37, 400])
def test_the_count_is_read_back_exactly_below_half_the_articles(holding, weight):
    score = Bm25(FIVE_YEARS, holding).score(weight)
    assert holding_from_score(FIVE_YEARS, score, weight) == holding


@pytest.mark.parametrize("holding", [28_074, 30_000, 46_847, 56_147])
def test_a_count_of_half_the_articles_or_more_is_not_guessed(holding):
    """FTS5 floors the IDF there: every such count gives the same score."""
    score = Bm25(FIVE_YEARS, holding).score(3)
    assert Bm25(FIVE_YEARS, 56_000).score(3) == score
    assert holding_from_score(FIVE_YEARS, score, 3) is None


def test_a_score_made_with_another_weight_gives_no_count():
    """A weight that is not FTS5's (a term that overlaps itself) must not yield a count."""
    wrong = [holding_from_score(FIVE_YEARS, Bm25(FIVE_YEARS, holding).score(2), 1)
             for holding in (40, 400, 4_000, 14_000)]
    assert wrong == [None] * 4
