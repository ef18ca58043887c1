"""Search text without I/O: normalization, segmentation, pinyin."""

from services.catalog.search.text import (
    document_tokens,
    expand,
    normalize,
    pinyin,
    query_tokens,
    suggestion_terms,
)


def test_normalize_folds_traditional_width_and_case():
    assert normalize("保溫杯") == "保温杯"
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "THERMOS")
    assert normalize(f"{full_width}  Cup") == "thermos cup"


def test_a_query_word_is_among_the_words_of_a_longer_name():
    words = document_tokens("不锈钢真空保温杯")
    assert {"不锈钢", "保温杯", "保温"} <= set(words)
    assert set(query_tokens("保温杯")) <= set(words)
    assert set(query_tokens("不锈钢 保溫杯")) <= set(words)
    assert query_tokens("  ,,, ") == []


def test_words_are_unique_and_carry_no_punctuation():
    words = document_tokens("Thermos 保温杯, 保温杯!", "thermos")
    assert words.count("thermos") == 1
    assert words.count("保温杯") == 1
    assert all(any(ch.isalnum() for ch in w) for w in words)


def test_pinyin_and_initials():
    assert pinyin("保温杯") == ("baowenbei", "bwb")
    assert pinyin("iPhone 杯") == ("iphonebei", "ib")


def test_suggestion_terms_hold_keywords_words_and_a_short_name():
    terms = suggestion_terms("不锈钢真空保温杯", ["保溫杯", "Travel Mug"])
    assert {"保温杯", "travel mug", "不锈钢", "不锈钢真空保温杯"} <= set(terms)
    assert len(terms) == len(set(terms))


def test_synonyms_expand_each_query_word_into_its_alternatives():
    groups = {"手机": ["移动电话", "mobile phone"], "壳": []}
    assert expand(["华为", "手机", "壳"], groups) == [
        ["华为"],
        ["手机", "移动电话", "mobile phone"],  # a term of two words needs both
        ["壳"],
    ]
    assert expand([], groups) == []
    assert expand(["手机"], {"手机": ["手机", "移動電話"]}) == [["手机", "移动电话"]]
