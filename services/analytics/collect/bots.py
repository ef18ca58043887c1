"""Which collected events look like a bot's (pure: no I/O).

A flagged event is still published and stored, with its signals, so that nothing a client
sent is lost and a heuristic can be re-judged later; metrics and funnels leave it out.
The heuristics, each judged on one batch (what the client sent in one request):

- `user_agent`: the request's User-Agent names a crawler, a headless browser or an HTTP
  library (`KNOWN_AGENTS`): every event of the batch.
- `rate`: more than `MAX_PER_SECOND` events within one second of client time, for one
  anonymous id: the events of each such second.
- `no_dwell`: a run of `NO_DWELL_RUN` product views or more, each less than `MIN_DWELL`
  after the one before (nobody reads fifty product pages at that pace): the run's views.
"""

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from contracts.analytics import Action, BotSignal

MAX_PER_SECOND = 10
MIN_DWELL = timedelta(seconds=1)
NO_DWELL_RUN = 50
PACED = frozenset({Action.PRODUCT_VIEW})  # the actions whose pace the dwell rule judges
# Crawlers name themselves `SomethingBot/1.0` and give a `+http://` page about them; a
# bare "bot" is not enough (the phone brand CUBOT).
KNOWN_AGENTS = re.compile(
    r"bot/|\+https?://|crawler|spider|slurp|facebookexternalhit|headlesschrome|phantomjs"
    r"|python-requests|python-urllib|aiohttp|httpx|curl/|wget/|scrapy|go-http-client|java/"
    r"|libwww-perl",
    re.IGNORECASE,
)


def is_bot_agent(user_agent: str | None) -> bool:
    return bool(user_agent) and KNOWN_AGENTS.search(user_agent) is not None


def signals(
    events: Sequence[tuple[Action, datetime]], user_agent: str | None
) -> list[list[BotSignal]]:
    """Per event of a batch (its action and client time), the bot signals it raises."""
    found: list[list[BotSignal]] = [[] for _ in events]
    if is_bot_agent(user_agent):
        for marks in found:
            marks.append(BotSignal.USER_AGENT)
    for index in _too_fast(events):
        found[index].append(BotSignal.RATE)
    for index in _without_dwell(events):
        found[index].append(BotSignal.NO_DWELL)
    return found


def _too_fast(events: Sequence[tuple[Action, datetime]]) -> set[int]:
    order = sorted(range(len(events)), key=lambda i: events[i][1])
    flagged: set[int] = set()
    start = 0
    for end, index in enumerate(order):
        while events[index][1] - events[order[start]][1] >= timedelta(seconds=1):
            start += 1
        if end - start + 1 > MAX_PER_SECOND:
            flagged.update(order[start : end + 1])
    return flagged


def _without_dwell(events: Sequence[tuple[Action, datetime]]) -> set[int]:
    views = sorted(
        (i for i, (action, _) in enumerate(events) if action in PACED),
        key=lambda i: events[i][1],
    )
    flagged: set[int] = set()
    run: list[int] = []
    for index in views:
        if run and events[index][1] - events[run[-1]][1] >= MIN_DWELL:
            if len(run) >= NO_DWELL_RUN:
                flagged.update(run)
            run = []
        run.append(index)
    if len(run) >= NO_DWELL_RUN:
        flagged.update(run)
    return flagged
