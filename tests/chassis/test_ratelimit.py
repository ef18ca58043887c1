"""The chassis' token buckets as a service uses them (the gateway's tests cover the bucket
arithmetic and the headers on the wire): a Redis budget under the caller's own prefix that
concurrent takes cannot overspend, the outage hook, and the refusal's headers."""

import asyncio
import uuid

from redis.asyncio import Redis

from chassis.ratelimit import Decision, RateLimit, RedisLimiter, headers
from chassis.testing import need

TINY = {"tiny": RateLimit(limit=5, window=3600)}


async def test_concurrent_takes_never_overspend_a_redis_budget_kept_under_the_prefix():
    need("Redis", 6379)
    redis = Redis.from_url("redis://127.0.0.1:6379/0")
    prefix, key = f"test:{uuid.uuid4().hex}:", "someone"
    try:
        limiter = RedisLimiter(redis, TINY, prefix=prefix)
        decisions = await asyncio.gather(*(limiter.take("tiny", key) for _ in range(40)))
        stored = await redis.keys(f"{prefix}*")
        await redis.delete(*stored)
    finally:
        await redis.aclose()
    assert sum(d.allowed for d in decisions) == 5
    assert stored == [f"{prefix}tiny:{key}".encode()]


async def test_a_redis_outage_is_reported_and_limited_in_process():
    errors = []
    redis = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.2)
    try:
        limiter = RedisLimiter(redis, TINY, prefix="x:", on_error=lambda: errors.append(1))
        decisions = [await limiter.take("tiny", "someone") for _ in range(6)]
    finally:
        await redis.aclose()
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert len(errors) == 6


def test_a_refusal_says_when_to_retry():
    refused = Decision(allowed=False, remaining=0, retry_after=1.2, reset=700.0)
    assert headers("comment", RateLimit(limit=10, window=600), refused) == {
        "ratelimit-policy": '"comment";q=10;w=600',
        "ratelimit": '"comment";r=0;t=2',
        "retry-after": "2",
    }
