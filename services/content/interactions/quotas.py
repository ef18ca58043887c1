"""Rate limits on what users do with content: interactions (views, reactions, shares,
click-throughs, taking a reaction back) and comments, each a token bucket per user, in Redis
when the service has one (shared by every replica) or in this process (chassis/ratelimit.py).
A refusal is a 429 problem with `Retry-After`; it happens before anything is written."""

from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis

from chassis.auth.deps import PrincipalDep
from chassis.ratelimit import LocalLimiter, RedisLimiter, TooManyRequests, headers
from services.content.settings import Settings

INTERACTION, COMMENT = "interaction", "comment"
KEY_PREFIX = "flywheel:content:ratelimit:"


def limiter(settings: Settings) -> LocalLimiter | RedisLimiter:
    limits = {INTERACTION: settings.interaction_rate_limit, COMMENT: settings.comment_rate_limit}
    if settings.redis_url:
        return RedisLimiter(Redis.from_url(settings.redis_url), limits, prefix=KEY_PREFIX)
    return LocalLimiter(limits)


def _spending(rate_class: str):
    async def spend(request: Request, by: PrincipalDep) -> None:
        quotas: LocalLimiter | RedisLimiter = request.app.state.quotas
        decision = await quotas.take(rate_class, str(by.user_id))
        if not decision.allowed:
            sent = headers(rate_class, quotas.limits[rate_class], decision)
            raise TooManyRequests(
                f"Too many {rate_class}s; retry in {sent['retry-after']} s.", headers=sent
            )

    return Depends(spend)


InteractionQuota = Annotated[None, _spending(INTERACTION)]
CommentQuota = Annotated[None, _spending(COMMENT)]
