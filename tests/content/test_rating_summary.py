"""The rating summary: unverified reviews count in the totals, never in the verified ones."""

from services.content.reviews.summary import summarize


def test_verified_figures_come_from_verified_reviews_only():
    summary = summarize([(5, True, 2), (1, False, 3), (4, True, 1), (4, False, 1)])
    assert (summary.count, summary.verified_count) == (7, 3)
    assert summary.average == round((10 + 3 + 4 + 4) / 7, 2)
    assert summary.verified_average == round(14 / 3, 2)
    assert summary.distribution == {1: 3, 2: 0, 3: 0, 4: 2, 5: 2}


def test_no_verified_purchase_means_no_verified_average():
    summary = summarize([(2, False, 4)])
    assert (summary.verified_count, summary.verified_average, summary.average) == (0, None, 2.0)


def test_no_reviews():
    summary = summarize([])
    assert (summary.count, summary.average, summary.verified_average) == (0, None, None)
    assert summary.distribution == dict.fromkeys(range(1, 6), 0)
