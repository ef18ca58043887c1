"""C2M rules: which cluster a signal joins, the trend's reading, the proposal's track."""

import pytest

from chassis.ids import new_id
from contracts.catalog import ProposalState
from services.catalog.c2m import rules
from services.catalog.c2m.rules import ProposalAction, Trend
from services.catalog.products.listing import IllegalTransition


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
