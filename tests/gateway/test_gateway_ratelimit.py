"""Rate limits at the edge: per principal, per route class; shared through Redis by replicas."""

import asyncio
import json
import uuid

import httpx
from redis.asyncio import Redis

from chassis.http.problems import MEDIA_TYPE
from gateway.ratelimit import KEY_PREFIX, LocalLimiter, RedisLimiter
from gateway.settings import RateLimit

LIMITED = "/api/v1/catalog/limited"  # public, in the "tiny" class: 5 requests a minute
GUARDED = "/api/v1/users/limited"  # the same class, for signed-in callers


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_flooding_address_is_limited_while_another_is_served(gw_stack):
    mark = gw_stack.journal.mark()
    async with gw_stack.client("127.0.0.2") as flood, gw_stack.client("127.0.0.3") as calm:
        responses = [await flood.get(LIMITED) for _ in range(12)]
        served = await calm.get(LIMITED)
    assert [r.status_code for r in responses] == [200] * 5 + [429] * 7
    assert served.status_code == 200
    assert len(gw_stack.journal.since(mark)) == 6  # refused requests never went upstream
    first, refused = responses[0], responses[-1]
    assert first.headers["ratelimit-policy"] == '"tiny";q=5;w=60'
    assert first.headers["ratelimit"].startswith('"tiny";r=4;t=')
    assert refused.headers["content-type"] == MEDIA_TYPE
    assert refused.json()["status"] == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 12
    assert refused.headers["ratelimit"].startswith('"tiny";r=0;t=')


async def test_each_signed_in_user_has_a_budget_of_their_own(gw_stack):
    greedy = gw_stack.signer.bearer(subject=str(uuid.uuid4()))
    other = gw_stack.signer.bearer(subject=str(uuid.uuid4()))
    async with gw_stack.client("127.0.0.4") as client:
        statuses = [(await client.get(LIMITED, headers=greedy)).status_code for _ in range(7)]
        assert (await client.get(LIMITED, headers=other)).status_code == 200
        assert (await client.get(LIMITED)).status_code == 200  # the address's own bucket
    assert statuses == [200] * 5 + [429] * 2


async def test_a_spoofed_forwarded_for_does_not_escape_the_limit(gw_stack):
    async with gw_stack.client("127.0.0.5") as client:
        statuses = [
            (await client.get(LIMITED, headers={"X-Forwarded-For": f"10.0.0.{i}"})).status_code
            for i in range(7)
        ]
    assert statuses == [200] * 5 + [429] * 2


async def test_redis_buckets_are_shared_between_limiters(gw_redis):
    limits = {"tiny": RateLimit(limit=3, window=60)}
    redis = Redis.from_url(gw_redis)
    key = f"test:{uuid.uuid4()}"
    try:
        one, two = RedisLimiter(redis, limits), RedisLimiter(redis, limits)
        decisions = [await (one if i % 2 else two).take("tiny", key) for i in range(6)]
        assert [d.allowed for d in decisions] == [True] * 3 + [False] * 3
        assert decisions[2].remaining == 0
        assert decisions[3].retry_after > 0
    finally:
        await redis.delete(f"{KEY_PREFIX}tiny:{key}")
        await redis.aclose()


REFILLING = {"quick": RateLimit(limit=2, window=1)}  # a burst of 2, refilled at 2 tokens/s


async def test_a_redis_bucket_refills_at_its_rate(gw_redis):
    """Take, take, refused; 0.6 s later 1.2 tokens are back: one more is allowed, and it
    leaves less than one. A bucket that never refilled would refuse it; one refilling 1000
    times too fast would be full again by then (and leave one)."""
    redis = Redis.from_url(gw_redis)
    key = f"test:{uuid.uuid4()}"
    limiter = RedisLimiter(redis, REFILLING)
    try:
        burst = [(await limiter.take("quick", key)).allowed for _ in range(3)]
        await asyncio.sleep(0.6)  # the time that passes is what is under test
        later = await limiter.take("quick", key)
    finally:
        await redis.delete(f"{KEY_PREFIX}quick:{key}")
        await redis.aclose()
    assert burst == [True, True, False]
    assert (later.allowed, later.remaining) == (True, 0)


def test_a_local_bucket_refills_at_its_rate():
    clock = Clock()
    limiter = LocalLimiter(REFILLING, clock=clock)
    burst = [limiter.take_now("quick", "someone").allowed for _ in range(3)]
    clock.now += 0.6
    later = [limiter.take_now("quick", "someone").allowed for _ in range(2)]
    assert burst == [True, True, False]
    assert later == [True, False]  # 1.2 tokens came back: one, not two


async def test_redis_outage_falls_back_to_local_limits():
    redis = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.2)
    limiter = RedisLimiter(redis, {"tiny": RateLimit(limit=2, window=60)})
    try:
        decisions = [await limiter.take("tiny", "someone") for _ in range(3)]
    finally:
        await redis.aclose()
    assert [d.allowed for d in decisions] == [True, True, False]


async def test_two_gateway_processes_share_one_redis_budget(
    gw_stack, gw_redis, gw_subprocess_gateway, tmp_path
):
    budget = 20
    limits = {name: {"limit": 100_000, "window": 60} for name in ("auth", "public", "partner")}
    limits["default"] = {"limit": budget, "window": 3600}
    env = {
        "GATEWAY_UPSTREAMS": json.dumps({n: s.url for n, s in gw_stack.upstreams.items()}),
        "GATEWAY_RATE_LIMITS": json.dumps(limits),
        "FLYWHEEL_JWKS_URL": gw_stack.settings.jwks_url,
        "REDIS_URL": gw_redis,
    }
    subject = str(uuid.uuid4())  # a fresh principal: a bucket no earlier run has touched
    headers = gw_stack.signer.bearer(subject=subject)
    first_db = {"GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'one.db'}"}
    second_db = {"GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'two.db'}"}
    try:
        async with (
            gw_subprocess_gateway(env | first_db) as one,
            gw_subprocess_gateway(env | second_db) as two,
            httpx.AsyncClient(headers=headers, timeout=10) as client,
        ):

            async def call(url: str) -> int:
                return (await client.get(f"{url}/api/v1/campaigns/budgets")).status_code

            statuses = await asyncio.gather(*(call(one if i % 2 else two) for i in range(40)))
    finally:
        redis = Redis.from_url(gw_redis)
        await redis.delete(f"{KEY_PREFIX}default:user:{subject}")
        await redis.aclose()
    admitted = statuses.count(200)
    assert admitted == budget, statuses
    assert statuses.count(429) == 40 - budget


async def test_failed_authentication_spends_the_address_budget(gw_stack):
    async with gw_stack.client("127.0.0.6") as client:
        statuses = [
            (await client.get(GUARDED, headers={"X-API-Key": f"fwk_guess{i}"})).status_code
            for i in range(7)
        ]
    assert statuses == [401] * 5 + [429] * 2
