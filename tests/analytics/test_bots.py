"""The bot heuristics of collection (pure), each at its bound."""

from datetime import UTC, datetime, timedelta

import pytest

from contracts.analytics import Action, BotSignal
from services.analytics.collect.bots import MAX_PER_SECOND, MIN_DWELL, NO_DWELL_RUN, signals

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def flagged(found, signal: BotSignal) -> list[int]:
    return [i for i, marks in enumerate(found) if signal in marks]


def test_the_bounds_are_the_documented_ones():
    bounds = {"per_second": MAX_PER_SECOND, "dwell": MIN_DWELL, "run": NO_DWELL_RUN}
    assert bounds == {"per_second": 10, "dwell": timedelta(seconds=1), "run": 50}


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Mozilla/5.0 (compatible; Bytespider; spider-feedback@bytedance.com)",
        "Mozilla/5.0 (compatible; SemrushBot-SI/0.97; +http://www.semrush.com/bot.html)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/131.0.0.0",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "python-httpx/0.28.1",
        "Go-http-client/2.0",
    ],
)
def test_a_known_bot_agent_flags_every_event_of_the_batch(agent):
    found = signals([(Action.PAGE_VIEW, at(0)), (Action.CLICK, at(60))], agent)
    assert found == [[BotSignal.USER_AGENT], [BotSignal.USER_AGENT]]


@pytest.mark.parametrize(
    "agent",
    [
        CHROME,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.53(0x18003531) NetType/WIFI",
        "Mozilla/5.0 (Linux; Android 9; CUBOT X19) AppleWebKit/537.36 Chrome/120.0 Mobile",
        "",
        None,
    ],
)
def test_browsers_and_apps_are_people(agent):
    assert signals([(Action.PAGE_VIEW, at(0))], agent) == [[]]


def test_more_than_the_limit_within_one_second_flags_that_seconds_events():
    steady = [(Action.CLICK, at(n * 0.09)) for n in range(MAX_PER_SECOND)]  # 10 in 0.81 s
    assert flagged(signals(steady, CHROME), BotSignal.RATE) == []
    burst = [*steady, (Action.CLICK, at(0.95)), (Action.CLICK, at(5))]  # 11 within 0.95 s
    assert flagged(signals(burst, CHROME), BotSignal.RATE) == list(range(MAX_PER_SECOND + 1))


def test_every_event_of_a_longer_burst_is_flagged_as_the_window_moves():
    # 12 within one second, then 12 more a second on: every one of them, including the
    # ones past the first 11 and those of a window that starts later in the batch.
    burst = [(Action.CLICK, at(n * 0.08)) for n in range(MAX_PER_SECOND + 2)]
    later = [(Action.CLICK, at(2 + n * 0.08)) for n in range(MAX_PER_SECOND + 2)]
    found = signals([*burst, (Action.CLICK, at(1.5)), *later], CHROME)
    expected = [*range(MAX_PER_SECOND + 2), *range(MAX_PER_SECOND + 3, 2 * MAX_PER_SECOND + 5)]
    assert flagged(found, BotSignal.RATE) == expected


def test_the_rate_window_is_one_second_of_client_time_whatever_the_batch_order():
    # 11 events: the last exactly one second after the first, so no second holds 11.
    spread = [(Action.CLICK, at(1.0))] + [(Action.CLICK, at(n * 0.1)) for n in range(10)]
    assert flagged(signals(spread, CHROME), BotSignal.RATE) == []
    shuffled = [(Action.CLICK, at(0.999)), *spread[1:]]
    assert flagged(signals(shuffled, CHROME), BotSignal.RATE) == list(range(11))


def test_a_long_run_of_product_views_without_dwell_is_flagged():
    # Views 0.9 s apart (too slow for the rate rule), clicks between them do not break it.
    views = [(Action.PRODUCT_VIEW, at(n * 0.9)) for n in range(NO_DWELL_RUN)]
    short = [*views[:-1], (Action.CLICK, at(0.5))]
    assert flagged(signals(short, CHROME), BotSignal.NO_DWELL) == []
    found = signals([*views, (Action.CLICK, at(0.5))], CHROME)
    assert flagged(found, BotSignal.NO_DWELL) == list(range(NO_DWELL_RUN))
    assert flagged(found, BotSignal.RATE) == []


def test_a_pause_of_a_second_ends_a_run():
    first = [(Action.PRODUCT_VIEW, at(n * 0.5)) for n in range(NO_DWELL_RUN - 1)]
    pause = first[-1][1] + timedelta(seconds=1)
    second = [(Action.PRODUCT_VIEW, pause + timedelta(seconds=n * 0.5)) for n in range(2)]
    assert flagged(signals([*first, *second], CHROME), BotSignal.NO_DWELL) == []
    joined = [*first, (Action.PRODUCT_VIEW, pause - timedelta(milliseconds=1))]
    assert flagged(signals(joined, CHROME), BotSignal.NO_DWELL) == list(range(NO_DWELL_RUN))


def test_a_run_ended_by_a_pause_is_judged_on_its_own():
    run = [(Action.PRODUCT_VIEW, at(n * 0.5)) for n in range(NO_DWELL_RUN)]
    later = (Action.PRODUCT_VIEW, run[-1][1] + timedelta(seconds=5))
    assert flagged(signals([*run, later], CHROME), BotSignal.NO_DWELL) == list(range(NO_DWELL_RUN))


def test_a_run_longer_than_the_limit_is_flagged_whole_wherever_it_ends():
    run = [(Action.PRODUCT_VIEW, at(n * 0.5)) for n in range(NO_DWELL_RUN + 1)]
    assert flagged(signals(run, CHROME), BotSignal.NO_DWELL) == list(range(NO_DWELL_RUN + 1))
    later = (Action.PRODUCT_VIEW, run[-1][1] + timedelta(seconds=5))
    found = signals([*run, later], CHROME)
    assert flagged(found, BotSignal.NO_DWELL) == list(range(NO_DWELL_RUN + 1))


def test_a_run_is_judged_in_client_time_whatever_the_batch_order():
    # Half a second apart in time, sent interleaved: in the order sent, each view is
    # seconds from the one before, but in client time the run has no dwell.
    views = [(Action.PRODUCT_VIEW, at(n * 0.5)) for n in range(NO_DWELL_RUN)]
    interleaved = views[0::2] + views[1::2]
    found = signals(interleaved, CHROME)
    assert len(flagged(found, BotSignal.NO_DWELL)) == NO_DWELL_RUN


@pytest.mark.parametrize("other", [Action.PAGE_VIEW, Action.SEARCH, Action.SHARE])
def test_only_product_views_make_a_run(other):
    views = [(Action.PRODUCT_VIEW, at(n * 0.9)) for n in range(NO_DWELL_RUN - 1)]
    others = [(other, at(n * 0.9 + 0.45)) for n in range(5)]
    assert flagged(signals([*views, *others], CHROME), BotSignal.NO_DWELL) == []
    many = [(other, at(n * 0.5)) for n in range(NO_DWELL_RUN)]
    assert flagged(signals(many, CHROME), BotSignal.NO_DWELL) == []
