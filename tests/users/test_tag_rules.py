"""The rules of interest tags: labels of items, the weight of evidence, the threshold."""

from datetime import UTC, datetime

import pytest

from services.users.tags import rules
from services.users.tags.rules import Evidence, Source

AT = datetime(2026, 12, 1, tzinfo=UTC)


def test_labels_are_normalised_and_a_missing_value_gives_none():
    labels = rules.product_labels("  Acme   Outdoor ", "Tents")
    assert labels == ["brand:acme outdoor", "category:tents"]
    assert rules.product_labels(None, "Tents") == ["category:tents"]
    assert rules.product_labels("", None) == []
    assert rules.post_labels(["Camping", "camping "], ["搭配"]) == ["scene:搭配", "topic:camping"]
    assert len(rules.label("brand", "x" * 200)) <= rules.MAX_TAG


@pytest.mark.parametrize(
    ("counts", "tagged"),
    [
        ({Source.PAID_ORDER: 1}, True),  # 5
        ({Source.PRODUCT_VIEW: 4}, False),  # 4
        ({Source.PRODUCT_VIEW: 5}, True),  # 5
        ({Source.CONTENT: 2}, False),  # 4
        ({Source.CONTENT: 3}, True),  # 6
        ({Source.CONTENT: 2, Source.PRODUCT_VIEW: 1}, True),  # 5
        ({Source.CONTENT: 1, Source.PRODUCT_VIEW: 2}, False),  # 4
    ],
)
def test_a_tag_is_earned_when_its_evidence_weighs_enough(counts, tagged):
    evidence = [Evidence("brand:acme", source, n, AT) for source, n in counts.items()]
    expected = sum(rules.WEIGHTS[s] * n for s, n in counts.items())
    assert rules.scores(evidence) == {"brand:acme": expected}
    assert rules.system_tags(evidence) == ({"brand:acme": expected} if tagged else {})


def test_each_tag_is_weighed_on_its_own_evidence():
    evidence = [
        Evidence("brand:acme", Source.PRODUCT_VIEW, 3, AT),
        Evidence("category:tents", Source.PRODUCT_VIEW, 3, AT),
        Evidence("category:tents", Source.CONTENT, 1, AT),
    ]
    assert rules.system_tags(evidence) == {"category:tents": 5}
