"""Coupons given upon events: a new user's welcome perk, once per user even when the
registration comes twice, never past the template's total."""

from datetime import UTC, datetime

from sqlalchemy import select

from chassis.ids import new_id
from contracts.users import UserRegistered
from services.campaigns.coupons import service
from services.campaigns.coupons.consumers import on_user_registered
from services.campaigns.coupons.models import Coupon
from services.campaigns.coupons.schemas import TemplateRequest


async def _template(db, **change):
    body = TemplateRequest(
        **{
            "name": "Welcome: ¥20 off",
            "kind": "fixed",
            "currency": "CNY",
            "amount_off": 20_00,
            "valid_days": 30,
            "total_quantity": 2,
            "grant_on": "registration",
        }
        | change
    )
    async with db.session() as session:
        return await service.create_template(session, body, new_id())


def _registered(user_id) -> UserRegistered:
    return UserRegistered(user_id=user_id, email="new@example.com", registered_at=datetime.now(UTC))


async def _deliver(db, event) -> None:
    """As the consumer does: the handler in a transaction of its own."""
    async with db.session() as session, session.begin():
        await on_user_registered(event, session)


async def _coupons(db, template_id) -> list[Coupon]:
    async with db.session() as session:
        return list(await session.scalars(select(Coupon).where(Coupon.template_id == template_id)))


async def test_a_new_user_gets_the_welcome_perk_once(campaigns_db):
    welcome = await _template(campaigns_db)
    other = await _template(campaigns_db, grant_on=None)
    first, second, third = new_id(), new_id(), new_id()
    await _deliver(campaigns_db, _registered(first))
    await _deliver(campaigns_db, _registered(first))  # the event again
    await _deliver(campaigns_db, _registered(second))
    await _deliver(campaigns_db, _registered(third))  # the total is gone
    given = await _coupons(campaigns_db, welcome.id)
    assert sorted(c.holder_id for c in given) == sorted([first, second])
    assert all(c.status == "claimed" for c in given)
    assert await _coupons(campaigns_db, other.id) == []
