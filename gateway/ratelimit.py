"""The gateway's rate limits: the chassis' token buckets (chassis/ratelimit.py) per principal
and route class, under the gateway's Redis keys, with the draft headers as ASGI sends them."""

from redis.asyncio import Redis

from chassis import ratelimit
from chassis.ratelimit import Decision, LocalLimiter, RateLimit, refill_and_take
from gateway import metrics

__all__ = ["KEY_PREFIX", "Decision", "LocalLimiter", "RedisLimiter", "headers", "refill_and_take"]
KEY_PREFIX = "flywheel:gateway:ratelimit:"


class RedisLimiter(ratelimit.RedisLimiter):
    def __init__(self, redis: Redis, limits: dict[str, RateLimit]) -> None:
        super().__init__(
            redis, limits, prefix=KEY_PREFIX, on_error=metrics.ratelimit_backend_errors.inc
        )


def headers(rate_class: str, limit: RateLimit, decision: Decision) -> list[tuple[bytes, bytes]]:
    return [
        (name.encode(), value.encode())
        for name, value in ratelimit.headers(rate_class, limit, decision).items()
    ]
