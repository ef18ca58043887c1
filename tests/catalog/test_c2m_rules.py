"""C2M rules: which cluster a signal joins, the category a search's words name, the trend's
reading, the proposal's track."""

from datetime import date

import pytest

from chassis.ids import new_id
from contracts.catalog import ProposalState
from services.catalog.c2m import rules
from services.catalog.c2m.rules import NamedCategory, ProposalAction, Trend
from services.catalog.products.listing import IllegalTransition
from services.catalog.search.text import query_tokens


def _tree(*names_and_parents: tuple[str, str | None]) -> dict[str, NamedCategory]:
    """Categories by name, each under the named parent (None: a root)."""
    tree: dict[str, NamedCategory] = {}
    for name, parent in names_and_parents:
        cid = new_id()
        path = (tree[parent].path if parent else "/") + f"{cid}/"
        tree[name] = NamedCategory(id=cid, path=path, name=name)
    return tree


def _words(query: str, synonyms: dict[str, list[str]] | None = None) -> list[list[str]]:
    """A query's words as a miss gives them, each with its synonyms (as `search.text.expand`)."""
    return [[w, *(synonyms or {}).get(w, [])] for w in query_tokens(query)]


SHOP = _tree(
    ("厨房用品", None),
    ("杯子", "厨房用品"),
    ("保温杯/焖烧杯", "杯子"),
    ("户外露营装备", None),
    ("摺疊椅", "户外露营装备"),
    ("手机", None),
    ("配件", "手机"),
    ("相机", None),
    ("相机 配件", "相机"),
)


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("折叠 保温杯", "保温杯/焖烧杯"),  # a word of its name (折叠 is only inside 折叠椅)
        ("折叠", "摺疊椅"),  # a word inside its name, cut as the index cuts names
        ("保溫杯 紫砂", "保温杯/焖烧杯"),  # traditional characters: the same word
        ("露营 帐篷", "户外露营装备"),
        ("折叠椅 加厚", "摺疊椅"),  # the name itself, in traditional characters
        ("杯子 保温杯", "保温杯/焖烧杯"),  # two on one branch: the deepest
        ("相机 配件", "相机 配件"),  # the one naming the most words
        ("配件 加长", None),  # a 配件 of phones and one of cameras: none
        ("户外 保温杯", None),  # one word each, on two branches: none
        ("紫砂 茶壶", None),  # no category named
    ],
)
def test_a_search_takes_the_category_its_words_name(query, named):
    expected = SHOP[named].id if named else None
    assert rules.category_named(_words(query), SHOP.values()) == expected


def test_a_synonym_of_a_word_names_a_category_as_the_word_would():
    synonyms = {"水杯": ["杯子"], "马扎": ["露营 椅子"]}  # 露营 椅子: all its words are needed
    assert rules.category_named(_words("儿童 水杯"), SHOP.values()) is None
    assert rules.category_named(_words("儿童 水杯", synonyms), SHOP.values()) == SHOP["杯子"].id
    assert rules.category_named(_words("马扎", synonyms), SHOP.values()) is None  # 露营 only
    seats = _tree(("露营椅子", None))
    assert rules.category_named(_words("马扎", synonyms), seats.values()) == seats["露营椅子"].id


def test_one_demand_however_spelled_or_ordered_is_one_cluster():
    cups = new_id()
    first = rules.cluster_of(cups, {"颜色": "綠", "容量": "1L"})
    second = rules.cluster_of(cups, {"容量": "1l", "顏色": "绿"})
    assert first == second
    assert first.digest == second.digest
    assert first.attributes == (("容量", "1l"), ("颜色", "绿"))
    assert first.label == "容量=1l · 颜色=绿"


def test_category_attributes_and_words_each_tell_clusters_apart():
    cups, bottles = new_id(), new_id()
    base = rules.cluster_of(cups, {"颜色": "绿"})
    assert rules.cluster_of(bottles, {"颜色": "绿"}).digest != base.digest
    assert rules.cluster_of(cups, {"颜色": "红"}).digest != base.digest
    assert rules.cluster_of(cups, {"颜色": "绿"}, ["保温杯"]).digest != base.digest
    assert rules.cluster_of(None).digest != rules.cluster_of(cups).digest


def test_searched_words_are_a_set_and_blank_attributes_are_ignored():
    one = rules.cluster_of(None, {"颜色": " "}, ["保温杯", "绿色", "保温杯", ""])
    assert one == rules.cluster_of(None, {}, ["绿色", "保溫杯"])
    assert one.keywords == ("保温杯", "绿色")
    assert one.label == "保温杯 绿色"
    assert rules.cluster_of(None).label == "(the category itself)"


@pytest.mark.parametrize(
    ("recent", "previous", "reading"),
    [
        (0, 0, Trend.QUIET),
        (3, 0, Trend.NEW),
        (5, 4, Trend.RISING),  # exactly a quarter more
        (4, 4, Trend.STEADY),
        (5, 5, Trend.STEADY),
        (4, 5, Trend.FALLING),  # exactly a fifth less
        (0, 6, Trend.FALLING),
        (9, 8, Trend.STEADY),
    ],
)
def test_the_trend_compares_the_last_week_with_the_one_before(recent, previous, reading):
    found, ratio = rules.trend(recent, previous)
    assert found == reading
    assert ratio == (None if previous == 0 else recent / previous)


def test_the_windows_end_today_and_count_whole_days():
    today = date(2025, 3, 31)
    windows = rules.Windows.of(today)
    assert windows == rules.Windows(
        volume=date(2025, 3, 2), last_week=date(2025, 3, 25), week_before=date(2025, 3, 18)
    )
    assert (today - windows.volume).days + 1 == 30
    assert (windows.last_week - windows.week_before).days == 7


def test_a_negative_count_is_a_bug():
    with pytest.raises(ValueError, match="not negative"):
        rules.trend(-1, 0)


def test_a_proposal_goes_proposed_accepted_sampled_launched():
    state = ProposalState.PROPOSED
    for action, reached in [
        (ProposalAction.ACCEPT, ProposalState.ACCEPTED),
        (ProposalAction.SAMPLE, ProposalState.SAMPLED),
        (ProposalAction.LAUNCH, ProposalState.LAUNCHED),
    ]:
        state = rules.move(state, action)
        assert state == reached


@pytest.mark.parametrize("state", list(rules.OPEN))
def test_an_open_proposal_may_be_declined(state):
    assert rules.move(state, ProposalAction.DECLINE) == ProposalState.DECLINED


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (ProposalState.PROPOSED, ProposalAction.SAMPLE),
        (ProposalState.PROPOSED, ProposalAction.LAUNCH),
        (ProposalState.ACCEPTED, ProposalAction.ACCEPT),
        (ProposalState.ACCEPTED, ProposalAction.LAUNCH),
        (ProposalState.SAMPLED, ProposalAction.ACCEPT),
        (ProposalState.LAUNCHED, ProposalAction.DECLINE),
        (ProposalState.DECLINED, ProposalAction.ACCEPT),
        (ProposalState.DECLINED, ProposalAction.DECLINE),
    ],
)
def test_every_other_step_is_illegal(state, action):
    with pytest.raises(IllegalTransition):
        rules.move(state, action)
