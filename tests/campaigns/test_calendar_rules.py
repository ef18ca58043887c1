"""Calendar rules: windows in the operator's time zone, the lifecycle, conflicts."""

from datetime import UTC, datetime, timedelta

import pytest

from chassis.ids import new_id
from services.campaigns.calendar import lifecycle
from services.campaigns.calendar.conflicts import Plan, conflicts
from services.campaigns.calendar.lifecycle import CampaignState as S
from services.campaigns.calendar.lifecycle import IllegalTransition
from services.campaigns.calendar.windows import check_window, overlap, to_utc

START = datetime(2026, 12, 12, tzinfo=UTC)
END = START + timedelta(days=1)


def test_a_campaign_may_end_any_time_after_it_starts():
    check_window(START, START + timedelta(microseconds=1))
    check_window(START, START + timedelta(days=30))


@pytest.mark.parametrize("ends_at", [START, START - timedelta(seconds=1)])
def test_a_campaign_cannot_end_when_or_before_it_starts(ends_at):
    with pytest.raises(ValueError, match="after starts_at"):
        check_window(START, ends_at)


def test_a_wall_clock_time_is_read_in_the_operators_zone():
    assert to_utc(datetime(2026, 11, 11), "Asia/Shanghai") == datetime(2026, 11, 10, 16, tzinfo=UTC)
    summer = to_utc(datetime(2026, 7, 4, 9), "America/New_York")
    assert summer == datetime(2026, 7, 4, 13, tzinfo=UTC)


def test_a_time_with_an_offset_keeps_its_instant_whatever_the_zone():
    moment = datetime.fromisoformat("2026-11-11T00:00:00+08:00")
    assert to_utc(moment, "America/New_York") == datetime(2026, 11, 10, 16, tzinfo=UTC)


@pytest.mark.parametrize(
    "wall_clock",
    [datetime(2026, 3, 8, 2, 30), datetime(2026, 11, 1, 1, 30)],  # skipped, then shown twice
)
def test_a_wall_clock_time_the_zone_skips_or_repeats_is_refused(wall_clock):
    with pytest.raises(ValueError, match="ambiguous or skipped"):
        to_utc(wall_clock, "America/New_York")


def test_an_unknown_zone_is_refused():
    with pytest.raises(ValueError, match="IANA"):
        to_utc(datetime(2026, 1, 1), "Mars/Olympus")


def test_windows_overlap_only_when_they_share_an_instant():
    assert overlap((START, END), (END - timedelta(seconds=1), END + timedelta(days=1)))
    assert not overlap((START, END), (END, END + timedelta(days=1)))  # back to back
    assert overlap((START, END), (START + timedelta(hours=1), START + timedelta(hours=2)))


ALL_MOVES = [(a, b) for a in S for b in S]
LEGAL = {
    (S.DRAFT, S.SCHEDULED),
    (S.DRAFT, S.CANCELLED),
    (S.SCHEDULED, S.RUNNING),
    (S.SCHEDULED, S.CANCELLED),
    (S.RUNNING, S.ENDED),
    (S.RUNNING, S.CANCELLED),
}


@pytest.mark.parametrize(("current", "target"), ALL_MOVES)
def test_only_the_lifecycle_moves_are_allowed(current, target):
    if (current, target) in LEGAL:
        lifecycle.check(current, target)
    else:
        with pytest.raises(IllegalTransition):
            lifecycle.check(current, target)


@pytest.mark.parametrize(
    ("state", "at", "steps"),
    [
        (S.DRAFT, END, []),
        (S.SCHEDULED, START - timedelta(seconds=1), []),
        (S.SCHEDULED, START, [S.RUNNING]),
        (S.SCHEDULED, END, [S.RUNNING, S.ENDED]),  # the scheduler was down all window long
        (S.RUNNING, END - timedelta(seconds=1), []),
        (S.RUNNING, END, [S.ENDED]),
        (S.ENDED, END + timedelta(days=1), []),
        (S.CANCELLED, START, []),
    ],
)
def test_time_moves_scheduled_and_running_campaigns_only(state, at, steps):
    assert lifecycle.path(state, START, END, at) == steps


def _plan(start=START, end=END, skus=(), segments=()) -> Plan:
    return Plan(new_id(), "p", start, end, frozenset(skus), frozenset(segments))


def test_overlapping_campaigns_on_a_shared_sku_or_segment_conflict():
    kettle, mug = new_id(), new_id()
    mine = _plan(skus=[kettle, mug], segments=["dormant"])
    same_sku = _plan(start=START + timedelta(hours=3), skus=[kettle])
    same_segment = _plan(segments=["dormant", "vip"])
    found = conflicts(mine, [same_sku, same_segment])
    assert [(c.campaign_id, c.sku_ids, c.segments) for c in found] == [
        (same_sku.id, {kettle}, set()),
        (same_segment.id, set(), {"dormant"}),
    ]


def test_campaigns_apart_in_time_or_sharing_nothing_do_not_conflict():
    kettle = new_id()
    mine = _plan(skus=[kettle])
    later = _plan(start=END, end=END + timedelta(days=1), skus=[kettle])
    other_skus = _plan(skus=[new_id()])
    site_wide = _plan()
    assert conflicts(mine, [later, other_skus, site_wide, mine]) == []
