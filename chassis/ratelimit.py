"""Rate limits: token buckets per key and class, in Redis (shared by every replica) or in
process, and the problem (429) and headers a refusal is sent with. The gateway limits per
principal and route class; a service limits its own actions (content: interactions)."""

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, PositiveFloat, PositiveInt
from redis.asyncio import Redis
from redis.exceptions import RedisError

from chassis.http.problems import Problem

log = logging.getLogger(__name__)


class RateLimit(BaseModel):
    """A token bucket: `limit` requests of burst, refilled evenly over `window` seconds."""

    limit: PositiveInt
    window: PositiveFloat

    @property
    def per_second(self) -> float:
        return self.limit / self.window


class TooManyRequests(Problem):
    status, slug = 429, "rate-limited"


@dataclass(frozen=True)  # pragma: no mutate (frozen or not, nothing writes one)
class Decision:
    allowed: bool
    remaining: int
    retry_after: float  # seconds until one token is back (0 when allowed)
    reset: float  # seconds until the bucket is full again


def refill_and_take(
    tokens: float, updated: float, now: float, limit: RateLimit
) -> tuple[float, Decision]:
    """Refill the bucket for the time since `updated`, then take one token if there is one.

    Returns the tokens left and the decision. `REDIS_SCRIPT` is the same arithmetic."""
    rate = limit.per_second
    tokens = min(float(limit.limit), tokens + max(0.0, now - updated) * rate)
    allowed = tokens >= 1.0
    if allowed:
        tokens -= 1.0
    return tokens, decide(allowed, tokens, limit)


def decide(allowed: bool, tokens: float, limit: RateLimit) -> Decision:
    rate = limit.per_second
    return Decision(
        allowed=allowed,
        remaining=math.floor(tokens),
        retry_after=0.0 if allowed else (1.0 - tokens) / rate,
        reset=(limit.limit - tokens) / rate,
    )


def headers(rate_class: str, limit: RateLimit, decision: Decision) -> dict[str, str]:
    """`RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers), plus
    `Retry-After` when refused."""
    seconds = decision.reset if decision.allowed else decision.retry_after
    window = f"{limit.window:g}"
    result = {
        "ratelimit-policy": f'"{rate_class}";q={limit.limit};w={window}',
        "ratelimit": f'"{rate_class}";r={decision.remaining};t={math.ceil(seconds)}',
    }
    if not decision.allowed:
        result["retry-after"] = str(max(1, math.ceil(seconds)))
    return result


class LocalLimiter:
    """Buckets in this process: right for one replica, and the fallback when Redis fails."""

    def __init__(
        self,
        limits: dict[str, RateLimit],
        *,  # pragma: no mutate (callers pass these by name: `/` would accept them the same)
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,  # pragma: no mutate (a memory bound: any near it serves)
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}

    async def take(self, rate_class: str, key: str) -> Decision:
        return self.take_now(rate_class, key)

    def take_now(self, rate_class: str, key: str) -> Decision:
        limit = self.limits[rate_class]
        now = self._clock()
        tokens, updated = self._buckets.get((rate_class, key), (float(limit.limit), now))
        tokens, decision = refill_and_take(tokens, updated, now, limit)
        if len(self._buckets) >= self._max_keys:  # pragma: no mutate (== too: never above)
            self._forget_full(now)
        self._buckets[(rate_class, key)] = (tokens, now)
        return decision

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled (forgetting them changes nothing); if a flood of
        distinct keys leaves too many, drop the oldest half."""
        for bucket_key, (tokens, updated) in list(self._buckets.items()):
            limit = self.limits[bucket_key[0]]
            if tokens + (now - updated) * limit.per_second >= limit.limit:
                del self._buckets[bucket_key]
        if len(self._buckets) >= self._max_keys:  # pragma: no mutate (== too: never above)
            for bucket_key in list(self._buckets)[: len(self._buckets) // 2]:
                del self._buckets[bucket_key]


# The bucket lives in a hash {tokens, at}; Redis's own clock keeps replicas consistent.
REDIS_SCRIPT = """
local limit = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or limit
local at = tonumber(state[2]) or now
tokens = math.min(limit, tokens + math.max(0, now - at) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(limit / rate * 1000) + 1000)
return {allowed, tostring(tokens)}
"""


WARNING_EVERY = 10.0  # seconds between two warnings of a Redis outage


class RedisLimiter:
    """Buckets in Redis under `prefix`, shared by every replica; one atomic script call each.

    If Redis fails, the request is limited by this replica's own buckets instead (a Redis
    outage loosens the limit by the number of replicas, never blocks traffic); `on_error`
    is called each time (a metric)."""

    def __init__(
        self,
        redis: Redis,
        limits: dict[str, RateLimit],
        *,  # pragma: no mutate (callers pass these by name: `/` would accept them the same)
        prefix: str,
        on_error: Callable[[], object] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits
        self.redis = redis
        self.prefix = prefix
        self._on_error = on_error
        self._clock = clock
        self._script = redis.register_script(REDIS_SCRIPT)
        self._fallback = LocalLimiter(limits, clock=clock)
        self._last_warning = -math.inf  # the first failure is always logged

    async def take(self, rate_class: str, key: str) -> Decision:
        limit = self.limits[rate_class]
        try:
            allowed, tokens = await self._script(
                keys=[f"{self.prefix}{rate_class}:{key}"], args=[limit.limit, limit.per_second]
            )
        except (RedisError, OSError) as error:
            self._on_error()
            if self._clock() - self._last_warning > WARNING_EVERY:
                self._last_warning = self._clock()
                log.warning("rate limits fall back to this process: Redis failed: %r", error)
            return self._fallback.take_now(rate_class, key)
        return decide(bool(allowed), float(tokens), limit)
