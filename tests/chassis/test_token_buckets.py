"""The token bucket's arithmetic, exactly (pure, on a clock the test moves): what a take
leaves, what a refusal says, how the bucket refills and caps, the headers, and the local
limiter's keys and its forgetting. `make mutants` runs these over `chassis/ratelimit.py`."""

import logging

import pytest
from redis.asyncio import Redis

from chassis.ratelimit import (
    Decision,
    LocalLimiter,
    RateLimit,
    RedisLimiter,
    decide,
    headers,
    refill_and_take,
)

TWO_PER_SECOND = RateLimit(limit=2, window=1)  # capacity 2, refilled at 2 tokens a second


def test_takes_spend_a_full_bucket_then_refuse_with_when_to_retry():
    tokens, first = refill_and_take(2.0, 10.0, 10.0, TWO_PER_SECOND)
    assert (tokens, first) == (1.0, Decision(True, remaining=1, retry_after=0.0, reset=0.5))
    tokens, second = refill_and_take(tokens, 10.0, 10.0, TWO_PER_SECOND)
    assert (tokens, second) == (0.0, Decision(True, remaining=0, retry_after=0.0, reset=1.0))
    tokens, refused = refill_and_take(tokens, 10.0, 10.0, TWO_PER_SECOND)
    assert (tokens, refused) == (0.0, Decision(False, remaining=0, retry_after=0.5, reset=1.0))


def test_the_bucket_refills_at_its_rate_and_no_further_than_its_limit():
    tokens, early = refill_and_take(0.0, 10.0, 10.25, TWO_PER_SECOND)  # half a token back
    assert (tokens, early) == (0.5, Decision(False, remaining=0, retry_after=0.25, reset=0.75))
    tokens, taken = refill_and_take(0.0, 10.0, 10.6, TWO_PER_SECOND)  # 1.2 tokens back
    assert tokens == pytest.approx(0.2)
    assert (taken.allowed, taken.remaining, taken.retry_after) == (True, 0, 0.0)
    assert taken.reset == pytest.approx(0.9)
    tokens, long_after = refill_and_take(1.5, 10.0, 110.0, TWO_PER_SECOND)
    assert (tokens, long_after.remaining) == (1.0, 1)  # capped at 2 before the take


def test_a_clock_that_steps_back_refills_nothing():
    tokens, decision = refill_and_take(1.0, 10.0, 9.0, TWO_PER_SECOND)
    assert (tokens, decision.allowed) == (0.0, True)
    tokens, decision = refill_and_take(0.5, 10.0, 9.0, TWO_PER_SECOND)
    assert (tokens, decision.allowed) == (0.5, False)


def test_a_decision_counts_whole_tokens_and_the_time_to_the_next_one():
    slow = RateLimit(limit=10, window=20)  # half a token a second
    assert decide(True, 3.75, slow) == Decision(True, remaining=3, retry_after=0.0, reset=12.5)
    assert decide(False, 0.25, slow) == Decision(False, remaining=0, retry_after=1.5, reset=19.5)
    assert slow.per_second == 0.5


def test_headers_name_the_policy_the_remaining_and_the_wait():
    allowed = headers("api", RateLimit(limit=60, window=60.0), Decision(True, 41, 0.0, 18.2))
    assert allowed == {"ratelimit-policy": '"api";q=60;w=60', "ratelimit": '"api";r=41;t=19'}
    refused = headers("auth", RateLimit(limit=5, window=0.5), Decision(False, 0, 2.3, 0.5))
    assert refused == {
        "ratelimit-policy": '"auth";q=5;w=0.5',
        "ratelimit": '"auth";r=0;t=3',
        "retry-after": "3",
    }
    soon = headers("api", TWO_PER_SECOND, Decision(False, 0, 0.01, 1.0))
    assert (soon["ratelimit"], soon["retry-after"]) == ('"api";r=0;t=1', "1")
    now = headers("api", TWO_PER_SECOND, Decision(False, 0, 0.0, 1.0))
    assert now["retry-after"] == "1"  # never 0: a client told 0 would retry in a tight loop


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_local_limiter_keeps_a_bucket_per_class_and_key_and_refills_it():
    clock = Clock()
    limits = {"api": TWO_PER_SECOND, "auth": RateLimit(limit=1, window=10)}
    limiter = LocalLimiter(limits, clock=clock)
    assert [limiter.take_now("api", "a").allowed for _ in range(3)] == [True, True, False]
    assert limiter.take_now("api", "b").allowed  # another key: its own bucket
    assert limiter.take_now("auth", "a").allowed  # another class: its own bucket
    assert not limiter.take_now("auth", "a").allowed
    clock.now += 0.5  # one token back for api:a
    assert [limiter.take_now("api", "a").allowed for _ in range(2)] == [True, False]


async def test_the_local_limiter_forgets_full_buckets_first_then_the_oldest_half():
    clock = Clock()
    limiter = LocalLimiter({"api": TWO_PER_SECOND}, clock=clock, max_keys=4)
    for key in "abc":
        await limiter.take("api", key)  # each 1 token left
    clock.now += 0.4  # a, b and c not yet full (1.8 tokens)
    limiter.take_now("api", "d")
    assert len(limiter._buckets) == 4
    limiter.take_now("api", "e")  # the limit reached, none full: the oldest half goes
    assert [key for _, key in limiter._buckets] == ["c", "d", "e"]
    clock.now += 0.2  # c full again (2.2 tokens); d and e not (1.4)
    limiter.take_now("api", "f")
    assert [key for _, key in limiter._buckets] == ["c", "d", "e", "f"]
    limiter.take_now("api", "g")  # c has refilled: forgotten, d and e kept
    assert [key for _, key in limiter._buckets] == ["d", "e", "f", "g"]


def test_a_bucket_refilled_exactly_to_its_limit_is_forgotten_before_the_oldest():
    clock = Clock()
    clock.now = 1.0
    slow = RateLimit(limit=1, window=100)
    limiter = LocalLimiter({"api": TWO_PER_SECOND, "slow": slow}, clock=clock, max_keys=3)
    limiter.take_now("slow", "x")  # empty, and refilling for 100 s: the oldest
    limiter.take_now("api", "a")
    limiter.take_now("api", "a")  # empty at 1.0: exactly full again at 2.0
    clock.now = 2.0
    limiter.take_now("api", "b")
    limiter.take_now("api", "c")  # the limit reached: a is full, so a goes and x stays
    assert [key for _, key in limiter._buckets] == ["x", "b", "c"]


def test_a_flood_of_keys_drops_the_oldest_half():
    clock = Clock()
    limiter = LocalLimiter({"api": TWO_PER_SECOND}, clock=clock, max_keys=300)
    for n in range(300):
        limiter.take_now("api", f"k{n}")  # none full again
    limiter.take_now("api", "newcomer")
    kept = [key for _, key in limiter._buckets]
    assert kept == [f"k{n}" for n in range(150, 300)] + ["newcomer"]


async def test_a_redis_outage_is_logged_once_every_ten_seconds(caplog):
    clock = Clock()
    redis = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.2)
    limiter = RedisLimiter(redis, {"api": TWO_PER_SECOND}, prefix="x:", clock=clock)
    logged = []
    try:
        with caplog.at_level(logging.WARNING, logger="chassis.ratelimit"):
            for at in (0.0, 9.5, 10.0, 10.5, 15.0, 20.6):  # a clock that starts at 0 too
                clock.now = at
                caplog.clear()
                decision = await limiter.take("api", "someone")
                logged.append(len(caplog.records))
    finally:
        await redis.aclose()
    assert logged == [1, 0, 0, 1, 0, 1]
    assert decision.allowed  # the fallback's bucket, on the same clock, had refilled
