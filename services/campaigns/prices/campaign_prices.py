"""Campaign prices: operators set a campaign's SKU prices; the quote and the order saga
price a customer's cart with those of the campaigns running for them (`offers.py`)."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.http.problems import Conflict, InvalidInput
from services.campaigns.budgets.models import Budget
from services.campaigns.calendar import service as calendar
from services.campaigns.calendar.lifecycle import OVER, CampaignState
from services.campaigns.calendar.models import Campaign, CampaignKind
from services.campaigns.coupons.pricing import Cart
from services.campaigns.prices import offers
from services.campaigns.prices.models import CampaignPrice, SkuPrice
from services.campaigns.prices.offers import Offer
from services.campaigns.prices.schemas import CampaignPricesRequest
from services.campaigns.segments.models import SegmentMember

# Their mechanics carry their own prices (flash sessions, group templates); a lottery sells
# nothing.
UNPRICED = frozenset({CampaignKind.FLASH_SALE, CampaignKind.GROUP_BUY, CampaignKind.LOTTERY})


async def set_for(
    session: AsyncSession, campaign_id: UUID, body: CampaignPricesRequest
) -> list[CampaignPrice]:
    """Replace the campaign's prices with `body`'s (a 409 for a campaign over or of a kind
    that prices otherwise; a 422 naming a SKU it does not promote or a price not below the
    SKU's regular one)."""
    campaign = await calendar.get(session, campaign_id)
    if campaign.kind in UNPRICED:
        raise Conflict(f"A {campaign.kind} campaign prices its SKUs through its own mechanic.")
    if campaign.state in OVER:
        raise Conflict(f"Campaign {campaign_id} is {campaign.state}.")
    promoted = set(campaign.sku_ids)
    regular = {
        p.product_id: p.price
        for p in await session.scalars(
            select(SkuPrice).where(SkuPrice.product_id.in_([p.sku_id for p in body.prices]))
        )
    }
    for index, item in enumerate(body.prices):
        if item.sku_id not in promoted:
            raise InvalidInput(
                f"body.prices.{index}.sku_id", f"campaign {campaign_id} does not promote it"
            )
        listed = regular.get(item.sku_id)
        if listed is not None and (
            listed.currency != item.price.currency or item.price.amount >= listed.amount
        ):
            raise InvalidInput(
                f"body.prices.{index}.price",
                f"must be below the regular price ({listed.amount} {listed.currency})",
            )
    await session.execute(delete(CampaignPrice).where(CampaignPrice.campaign_id == campaign_id))
    rows = [
        CampaignPrice(campaign_id=campaign_id, sku_id=item.sku_id, price=item.price)
        for item in body.prices
    ]
    session.add_all(rows)
    await session.commit()
    return rows


async def of(session: AsyncSession, campaign_id: UUID) -> list[CampaignPrice]:
    await calendar.get(session, campaign_id)  # 404 for an unknown one
    return list(
        await session.scalars(
            select(CampaignPrice)
            .where(CampaignPrice.campaign_id == campaign_id)
            .order_by(CampaignPrice.sku_id)
        )
    )


@dataclass(frozen=True)
class Priced:
    """A cart as it came (`listed`) and at the campaign prices it takes (`cart`); the
    prices of the campaigns running for the customer (`running`), of which those of
    `exhausted` campaigns (their budgets) were not taken."""

    listed: Cart
    cart: Cart
    offers: tuple[Offer | None, ...]
    running: tuple[Offer, ...] = ()
    exhausted: frozenset[UUID] = frozenset()


async def price(
    session: AsyncSession,
    cart: Cart,
    customer_id: UUID,
    at: datetime,
    kept: frozenset[UUID] = frozenset(),
) -> Priced:
    """`cart` at the best campaign prices running for the customer at `at`: campaigns
    running (their window holds `at`), and, for one targeting segments, the customer a
    member of one of them (the membership read model); not those whose budget is exhausted
    (`exhausted_budget`). Lines of SKUs in `kept` (flash lines) keep their price."""
    rows = (
        await session.execute(
            select(CampaignPrice, Campaign.segments, exhausted_budget())
            .join(Campaign, Campaign.id == CampaignPrice.campaign_id)
            .outerjoin(Budget, Budget.campaign_id == Campaign.id)
            .where(
                CampaignPrice.sku_id.in_({line.sku_id for line in cart.lines}),
                CampaignPrice.currency == cart.currency,
                Campaign.state == CampaignState.RUNNING,
                Campaign.starts_at <= at,
                Campaign.ends_at > at,
            )
        )
    ).all()
    targeted = {s for _, segments, _ in rows for s in segments}
    member_of = set()
    if targeted:
        member_of = {
            str(s)
            for s in await session.scalars(
                select(SegmentMember.segment_id).where(SegmentMember.user_id == customer_id)
            )
        }
    running = tuple(
        Offer(row.campaign_id, row.sku_id, row.price_amount)
        for row, segments, _ in rows
        if not segments or member_of.intersection(segments)
    )
    exhausted = frozenset(row.campaign_id for row, _, spent in rows if spent)
    chosen = offers.best(cart, running, kept, exhausted)
    return Priced(cart, offers.at_offers(cart, chosen), chosen, running, exhausted)


def exhausted_budget():
    """Whether the campaign's budget is exhausted, for its prices (a column of a query
    outer-joined to `budgets`): a charge did not fit since a release last made room, or
    nothing is left (no price gap fits). Without a budget: never."""
    return (
        or_(Budget.exhausted_at.is_not(None), Budget.spent >= Budget.amount)
        .is_(True)
        .label("exhausted")
    )
