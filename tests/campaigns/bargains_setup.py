"""Bargains set up straight on the campaigns database, for the bargain tests."""

from chassis.http.problems import Conflict, Forbidden
from chassis.ids import new_id
from chassis.money import Money
from services.campaigns.bargains import service
from services.campaigns.bargains.models import Bargain
from services.campaigns.bargains.schemas import TemplateRequest


def cny(amount: int) -> Money:
    return Money(amount=amount, currency="CNY")


async def start_bargain(
    db, start=299_00, floor=0, helps=10, order_minutes=60, campaign_id=None
) -> Bargain:
    body = TemplateRequest(
        name="砍价免费拿",
        sku_id=new_id(),
        start_price=cny(start),
        floor_price=cny(floor),
        helps=helps,
        time_limit_minutes=60,
        order_minutes=order_minutes,
        campaign_id=campaign_id,
    )
    async with db.session() as session:
        template = await service.create_template(session, body, new_id())
    async with db.session() as session:
        return await service.start(session, template.id, new_id())


async def help_or_why(db, bargain_id, helper_id) -> int | str:
    """The amount the helper cut, or the problem's detail."""
    async with db.session() as session:
        try:
            cut, _ = await service.help_cut(session, bargain_id, helper_id)
            return cut.amount
        except (Conflict, Forbidden) as problem:
            return problem.detail


async def stored(db, bargain_id) -> Bargain:
    async with db.session() as session:
        return await session.get(Bargain, bargain_id)
