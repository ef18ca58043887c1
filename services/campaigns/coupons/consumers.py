"""Events upon which coupons are given: by operators' grant rules, a new user, a lifecycle
move (first order, dormancy, reactivation), a membership tier reached, a birthday (once a
year); and content calls' winners their coupon reward."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.content import CallWinnerChosen
from contracts.users import BirthdayReached, LifecycleChanged, TierChanged, UserRegistered
from services.campaigns.coupons import call_rewards, grant_rules
from services.campaigns.coupons.triggers import GrantTrigger, Occasion


@consumes(UserRegistered)
async def on_user_registered(event: UserRegistered, session: AsyncSession) -> None:
    await grant_rules.fire(session, Occasion(GrantTrigger.REGISTRATION), event.user_id)


@consumes(LifecycleChanged)
async def on_lifecycle_changed(event: LifecycleChanged, session: AsyncSession) -> None:
    occasion = Occasion(
        GrantTrigger.LIFECYCLE,
        to_stage=event.to_stage,
        from_stage=event.from_stage,
        reason=event.reason,
    )
    await grant_rules.fire(session, occasion, event.user_id)


@consumes(TierChanged)
async def on_tier_changed(event: TierChanged, session: AsyncSession) -> None:
    occasion = Occasion(GrantTrigger.TIER, to_tier=event.to_tier)
    await grant_rules.fire(session, occasion, event.user_id)


@consumes(BirthdayReached)
async def on_birthday_reached(event: BirthdayReached, session: AsyncSession) -> None:
    occasion = Occasion(GrantTrigger.BIRTHDAY, year=event.year)
    await grant_rules.fire(session, occasion, event.user_id)


@consumes(CallWinnerChosen)
async def on_call_winner_chosen(event: CallWinnerChosen, session: AsyncSession) -> None:
    await call_rewards.reward(session, event)
