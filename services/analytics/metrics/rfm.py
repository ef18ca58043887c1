"""RFM codes and the eight classic layers they fall in (pure: no I/O)."""

from enum import StrEnum
from itertools import product

HIGH = 3  # a score of 3, 4 or 5 (of 1..5) is high


class RfmGrouping(StrEnum):
    """How the RFM distribution groups users."""

    LAYER = "layer"
    CODE = "code"


class RfmLayer(StrEnum):
    """The classic eight layers: recency, frequency and monetary each high or low. Listed in
    the order the API and the console show them."""

    IMPORTANT_VALUE = "important_value"  # R high, F high, M high
    IMPORTANT_DEVELOP = "important_develop"  # R high, F low, M high
    IMPORTANT_KEEP = "important_keep"  # R low, F high, M high
    IMPORTANT_RETAIN = "important_retain"  # R low, F low, M high
    GENERAL_VALUE = "general_value"  # R high, F high, M low
    GENERAL_DEVELOP = "general_develop"  # R high, F low, M low
    GENERAL_KEEP = "general_keep"  # R low, F high, M low
    GENERAL_RETAIN = "general_retain"  # R low, F low, M low


_LAYERS = {
    (True, True, True): RfmLayer.IMPORTANT_VALUE,
    (True, False, True): RfmLayer.IMPORTANT_DEVELOP,
    (False, True, True): RfmLayer.IMPORTANT_KEEP,
    (False, False, True): RfmLayer.IMPORTANT_RETAIN,
    (True, True, False): RfmLayer.GENERAL_VALUE,
    (True, False, False): RfmLayer.GENERAL_DEVELOP,
    (False, True, False): RfmLayer.GENERAL_KEEP,
    (False, False, False): RfmLayer.GENERAL_RETAIN,
}
# Every code users can publish ("111" .. "555"), in order.
CODES = tuple("".join(scores) for scores in product("12345", repeat=3))


def layer_of(code: str) -> RfmLayer:
    """The layer of an RFM code such as "543" (R 5, F 4, M 3)."""
    if code not in _CODE_SET:
        raise ValueError(f"not an RFM code: {code!r}")
    recency, frequency, monetary = (int(score) >= HIGH for score in code)
    return _LAYERS[recency, frequency, monetary]


_CODE_SET = frozenset(CODES)
