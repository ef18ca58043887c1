"""The eight RFM layers: each of R, F and M is high at 3 or more, and every code has one layer."""

from collections import Counter

import pytest

from services.analytics.metrics.rfm import CODES, RfmLayer, layer_of


@pytest.mark.parametrize(
    ("code", "layer"),
    [
        ("555", RfmLayer.IMPORTANT_VALUE),
        ("333", RfmLayer.IMPORTANT_VALUE),
        ("313", RfmLayer.IMPORTANT_DEVELOP),
        ("233", RfmLayer.IMPORTANT_KEEP),
        ("225", RfmLayer.IMPORTANT_RETAIN),
        ("332", RfmLayer.GENERAL_VALUE),
        ("521", RfmLayer.GENERAL_DEVELOP),
        ("151", RfmLayer.GENERAL_KEEP),
        ("111", RfmLayer.GENERAL_RETAIN),
        ("222", RfmLayer.GENERAL_RETAIN),
    ],
)
def test_each_score_is_high_from_three(code, layer):
    assert layer_of(code) is layer


def test_every_code_falls_in_one_layer_each_holding_its_share():
    assert len(CODES) == 125
    assert (CODES[0], CODES[1], CODES[-1]) == ("111", "112", "555")
    # High is 3 of 5 scores, low 2: a layer holds 3 or 2 choices per score.
    sizes = Counter(layer_of(code) for code in CODES)
    assert sizes[RfmLayer.IMPORTANT_VALUE] == 27
    assert sizes[RfmLayer.GENERAL_RETAIN] == 8
    assert sizes[RfmLayer.IMPORTANT_DEVELOP] == sizes[RfmLayer.GENERAL_VALUE] == 18
    assert set(sizes) == set(RfmLayer)


@pytest.mark.parametrize("code", ["", "54", "5433", "043", "643", "abc"])
def test_a_code_users_cannot_publish_has_no_layer(code):
    with pytest.raises(ValueError, match="not an RFM code"):
        layer_of(code)
