"""Attributes read out of searched words against the catalog's vocabulary, and the cluster a
missed search then joins: the wants' of the same thing."""

import pytest

from chassis.ids import new_id
from services.catalog.c2m import rules
from services.catalog.c2m.attributes import ReadQuery, Vocabulary
from services.catalog.search.text import query_tokens

KNOWN = Vocabulary.of(
    [
        {"颜色": ["红", "蓝"], "容量": ["500ml", "1L"]},  # a product's
        {"颜色": "绿"},  # a want's
        {"Color": ["Green", "Space Gray"]},
        {"尺码": ["大", "小"], "杯型": ["大", "中"]},  # 大 under two names
        {"颜色": ["深空灰"]},
    ]
)


def _read(query: str) -> ReadQuery:
    return KNOWN.read(query_tokens(query))


@pytest.mark.parametrize(
    ("query", "attributes", "words"),
    [
        ("绿色 保温杯", {"颜色": "绿"}, ("保温杯",)),  # 绿色 is 绿
        ("保溫杯 綠色", {"颜色": "绿"}, ("保温杯",)),  # traditional, either order
        ("绿色保温杯", {"颜色": "绿"}, ("保温杯",)),  # run together
        ("红色的保温杯", {"颜色": "红"}, ("保温杯",)),  # 的 asks for nothing
        ("颜色 绿 保温杯", {"颜色": "绿"}, ("保温杯",)),  # the name given with its value
        ("1L 蓝色 保温杯", {"容量": "1l", "颜色": "蓝"}, ("保温杯",)),
        ("500ML保温杯", {"容量": "500ml"}, ("保温杯",)),
        ("1升保温杯", {"容量": "1l"}, ("保温杯",)),  # 升 is l, after a number
        ("500 毫升 保温杯", {"容量": "500ml"}, ("保温杯",)),
        ("500 ml 保温杯", {"容量": "500ml"}, ("保温杯",)),
        ("green thermos 1L", {"color": "green", "容量": "1l"}, ("thermos",)),
        ("Space Gray phone", {"color": "space gray"}, ("phone",)),  # two words, one value
        ("深空灰 手机", {"颜色": "深空灰"}, ("手机",)),  # jieba cuts it 深空 灰
        ("紫色 保温杯", {}, ("紫色", "保温杯")),  # 紫 is no value the catalog knows
        ("保温杯", {}, ("保温杯",)),
    ],
)
def test_known_values_are_read_out_of_the_words(query, attributes, words):
    assert _read(query) == ReadQuery(attributes=attributes, words=words)


def test_one_value_per_name_the_second_stays_a_word():
    assert _read("红色 蓝色 保温杯") == ReadQuery({"颜色": "红"}, ("蓝色", "保温杯"))


def test_a_value_of_several_names_needs_its_name_in_the_query():
    assert _read("大号 保温杯") == ReadQuery({}, ("大", "号", "保温杯"))
    assert _read("杯型 大号 保温杯") == ReadQuery({"杯型": "大"}, ("保温杯",))
    assert _read("小号 T恤") == ReadQuery({"尺码": "小"}, ("t", "恤"))  # one name only


def test_an_exact_value_goes_before_a_suffixed_one():
    known = Vocabulary.of([{"颜色": ["绿"]}, {"系列": ["绿色"]}])
    assert known.read(["绿色"]).attributes == {"系列": "绿色"}
    assert known.read(["绿"]).attributes == {"颜色": "绿"}


def test_values_are_kept_as_clusters_keep_them():
    read = _read("Space Gray 手机")
    wanted = rules.cluster_of(None, {"Color": "Space  Gray"})
    assert rules.cluster_of(None, read.attributes) == wanted


def test_a_chinese_unit_is_one_only_after_a_number():
    known = Vocabulary.of([{"尺码": ["L"], "容量": ["2升"]}])
    assert known.read(query_tokens("升 保温杯")) == ReadQuery({}, ("升", "保温杯"))  # not size L
    assert known.read(query_tokens("2L 保温杯")).attributes == {"容量": "2升"}  # as declared


def test_blank_names_and_values_are_not_known():
    assert Vocabulary.of([{"": ["红"], "颜色": ["", " "]}]).read(["红", "颜色"]) == ReadQuery(
        {}, ("红", "颜色")
    )


def test_a_search_with_attributes_in_a_category_is_the_wants_cluster():
    cups = new_id()
    want = rules.cluster_of(cups, {"颜色": "绿"})
    assert rules.miss_cluster(cups, _read("绿色 保温杯")) == want
    assert rules.miss_cluster(cups, _read("保溫杯 綠色")).digest == want.digest
    # without a category, or without attributes, the words stay in it
    assert rules.miss_cluster(None, _read("绿色 保温杯")) == rules.cluster_of(
        None, {"颜色": "绿"}, ["保温杯"]
    )
    assert rules.miss_cluster(cups, _read("紫色 保温杯")) == rules.cluster_of(
        cups, {}, ["紫色", "保温杯"]
    )


def test_the_likeliest_category_holds_more_than_half_the_named_products():
    cups, bottles = new_id(), new_id()
    assert rules.likeliest_category([cups, cups, bottles]) == cups
    assert rules.likeliest_category([cups, bottles]) is None
    assert rules.likeliest_category([cups, bottles, None, None]) is None
    assert rules.likeliest_category([]) is None
