"""Events the campaigns service publishes."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from chassis.events import EventData, event
from chassis.money import Money

CAMPAIGN = "flywheel.campaigns.campaign"


@event("flywheel.campaigns.campaign.scheduled.v1", topic=CAMPAIGN, key="campaign_id")
class CampaignScheduled(EventData):
    """A campaign was put on the calendar."""

    campaign_id: UUID
    name: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    budget: Money | None = None
    scheduled_by: UUID
    sku_ids: list[UUID] = []
    segments: list[str] = Field(
        default=[],
        description="Users' segment ids the campaign targets (names in campaigns planned "
        "before ids were required)",
    )
    override_reason: str | None = None


@event("flywheel.campaigns.campaign.started.v1", topic=CAMPAIGN, key="campaign_id")
class CampaignStarted(EventData):
    """A scheduled campaign's window opened: it runs."""

    campaign_id: UUID
    started_at: datetime


@event("flywheel.campaigns.campaign.ended.v1", topic=CAMPAIGN, key="campaign_id")
class CampaignEnded(EventData):
    """A running campaign's window closed."""

    campaign_id: UUID
    ended_at: datetime


@event("flywheel.campaigns.campaign.cancelled.v1", topic=CAMPAIGN, key="campaign_id")
class CampaignCancelled(EventData):
    """An operator called a campaign off before it ended."""

    campaign_id: UUID
    reason: str
    cancelled_by: UUID
    cancelled_at: datetime


COUPON = "flywheel.campaigns.coupon"


@event("flywheel.campaigns.coupons.locked.v1", topic=COUPON, key="order_id")
class CouponsLocked(EventData):
    """The order's coupons (and flash reservation) are held for it until paid or cancelled."""

    order_id: UUID
    customer_id: UUID
    coupon_ids: list[UUID]
    flash_reservation_id: UUID | None = None


@event("flywheel.campaigns.coupons.refused.v1", topic=COUPON, key="order_id")
class CouponsRefused(EventData):
    """The order's coupons could not be locked (not held, used, expired, out of scope):
    nothing was locked."""

    order_id: UUID
    customer_id: UUID
    coupon_ids: list[UUID]
    reason: str


@event("flywheel.campaigns.coupons.redeemed.v1", topic=COUPON, key="order_id")
class CouponsRedeemed(EventData):
    """A paid order used its coupons for good; their discounts count against budgets."""

    order_id: UUID
    customer_id: UUID
    coupon_ids: list[UUID]
    discount: Money


@event("flywheel.campaigns.coupons.released.v1", topic=COUPON, key="order_id")
class CouponsReleased(EventData):
    """A cancelled order's coupons went back to their holder, once."""

    order_id: UUID
    customer_id: UUID
    coupon_ids: list[UUID]


@event("flywheel.campaigns.coupons.restored.v1", topic=COUPON, key="order_id")
class CouponsRestored(EventData):
    """A refunded order's coupons went back to their holder to use again (their templates
    say so), once."""

    order_id: UUID
    refund_id: UUID
    customer_id: UUID
    coupon_ids: list[UUID]


@event("flywheel.campaigns.coupon.claimed.v1", topic=COUPON, key="coupon_id")
class CouponClaimed(EventData):
    """A customer claimed a coupon of a template (reach and claims for ROI)."""

    coupon_id: UUID
    template_id: UUID
    campaign_id: UUID | None = None
    holder_id: UUID
    valid_until: datetime
    claimed_at: datetime


@event("flywheel.campaigns.coupon.expired.v1", topic=COUPON, key="coupon_id")
class CouponExpired(EventData):
    """A claimed coupon reached the end of its validity unused: it can no longer be used."""

    coupon_id: UUID
    template_id: UUID
    campaign_id: UUID | None = None
    holder_id: UUID
    valid_until: datetime
    expired_at: datetime


@event(
    "flywheel.campaigns.budget.exhausted.v1", topic="flywheel.campaigns.budget", key="campaign_id"
)
class BudgetExhausted(EventData):
    """A campaign's budget cannot cover what was asked of it: it stops issuing (claims are
    refused, orders' coupons of it refused) until spend is released."""

    campaign_id: UUID
    budget: Money
    spent: Money
    exhausted_at: datetime


@event(
    "flywheel.campaigns.budget.spend_changed.v1",
    topic="flywheel.campaigns.budget",
    key="campaign_id",
)
class BudgetSpendChanged(EventData):
    """A campaign's spend moved: a charge (coupon discount, prize, flash or campaign price
    gap) or a release. `spent` is the running total after the change; one campaign's changes
    arrive in order under its key, so the latest is its spend."""

    campaign_id: UUID
    spent: Money
    budget: Money
    changed_at: datetime


FLASH = "flywheel.campaigns.flash"


@event("flywheel.campaigns.flash.reserved.v1", topic=FLASH, key="reservation_id")
class FlashReserved(EventData):
    """A customer reserved flash-sale stock at the flash price, until `expires_at`."""

    reservation_id: UUID
    session_id: UUID
    sku_id: UUID
    customer_id: UUID
    quantity: int
    flash_price: Money
    expires_at: datetime


@event("flywheel.campaigns.flash.expired.v1", topic=FLASH, key="reservation_id")
class FlashReservationExpired(EventData):
    """A reservation was not ordered in time: its stock goes back to the session, once."""

    reservation_id: UUID
    session_id: UUID
    sku_id: UUID
    customer_id: UUID
    quantity: int
    expired_at: datetime


class FlashItemStock(BaseModel):
    """A SKU of a flash session and the units it sells at the flash price."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sku_id: UUID
    quantity: int = Field(gt=0)


@event("flywheel.campaigns.flash.session_scheduled.v1", topic=FLASH, key="session_id")
class FlashSessionScheduled(EventData):
    """A flash session was scheduled: catalog sets its items' stock aside for it, per SKU,
    and answers `flash_stock.held` or `flash_stock.refused`. Once per session."""

    session_id: UUID
    campaign_id: UUID | None = None
    items: list[FlashItemStock] = Field(min_length=1)
    starts_at: datetime
    ends_at: datetime


@event("flywheel.campaigns.flash.session_ended.v1", topic=FLASH, key="session_id")
class FlashSessionEnded(EventData):
    """A flash session ended (or was cancelled): catalog returns what it holds for the
    session and did not sell to the general stock, once (`flash_stock.returned`)."""

    session_id: UUID
    cancelled: bool = False
    ended_at: datetime


GROUP = "flywheel.campaigns.group"


class GroupMemberOrder(BaseModel):
    """A member of a group and the order they placed for it (None until they place one)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer_id: UUID
    order_id: UUID | None = None


@event("flywheel.campaigns.group.opened.v1", topic=GROUP, key="group_id")
class GroupOpened(EventData):
    """A customer opened a group buy; others join it with `code` until `expires_at`."""

    group_id: UUID
    template_id: UUID
    campaign_id: UUID | None = None
    sku_id: UUID
    group_price: Money
    size: int
    leader_id: UUID
    code: str
    expires_at: datetime


@event("flywheel.campaigns.group.completed.v1", topic=GROUP, key="group_id")
class GroupCompleted(EventData):
    """A group filled in time: its members' orders proceed at the group price."""

    group_id: UUID
    template_id: UUID
    sku_id: UUID
    group_price: Money
    members: list[GroupMemberOrder]
    completed_at: datetime


@event("flywheel.campaigns.group.failed.v1", topic=GROUP, key="group_id")
class GroupFailed(EventData):
    """A group's time ran out before it filled: its members' orders are to be cancelled and
    refunded (orders' part; campaigns only publishes)."""

    group_id: UUID
    template_id: UUID
    sku_id: UUID
    members: list[GroupMemberOrder]
    reason: str
    failed_at: datetime


BARGAIN = "flywheel.campaigns.bargain"


@event("flywheel.campaigns.bargain.started.v1", topic=BARGAIN, key="bargain_id")
class BargainStarted(EventData):
    """A customer started bargaining a SKU down; helpers cut it until `expires_at`."""

    bargain_id: UUID
    template_id: UUID
    campaign_id: UUID | None = None
    sku_id: UUID
    starter_id: UUID
    start_price: Money
    floor_price: Money
    helps: int
    expires_at: datetime


@event("flywheel.campaigns.bargain.cut.v1", topic=BARGAIN, key="bargain_id")
class BargainCut(EventData):
    """A helper cut the bargain's price (`number` of `helps`)."""

    bargain_id: UUID
    helper_id: UUID
    number: int
    amount: Money
    price: Money = Field(description="The price after this cut")
    cut_at: datetime


@event("flywheel.campaigns.bargain.completed.v1", topic=BARGAIN, key="bargain_id")
class BargainCompleted(EventData):
    """The last help brought the bargain to its floor: the starter may order the SKU at the
    floor price until `order_until`."""

    bargain_id: UUID
    template_id: UUID
    sku_id: UUID
    starter_id: UUID
    floor_price: Money
    order_until: datetime
    completed_at: datetime


LOTTERY = "flywheel.campaigns.lottery"


class LotteryPrize(BaseModel):
    """A prize as a lottery published it: its place in the order of outcomes and its odds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    prize_id: UUID
    position: int
    name: str
    kind: str = Field(description="coupon, points or item")
    weight: int
    stock: int


@event("flywheel.campaigns.lottery.created.v1", topic=LOTTERY, key="lottery_id")
class LotteryCreated(EventData):
    """A lottery was set up: its terms and the SHA-256 of its secret server seed, on the
    record before it opens (the seed is revealed at `closes_at`, on its public page)."""

    lottery_id: UUID
    campaign_id: UUID | None = None
    name: str
    opens_at: datetime
    closes_at: datetime
    seed_hash: str
    draws_per_day: int
    no_prize_weight: int
    prizes: list[LotteryPrize]


@event("flywheel.campaigns.draw.made.v1", topic="flywheel.campaigns.draw", key="draw_id")
class DrawMade(EventData):
    """A user drew in a lottery. With a points prize, users credits `points` to `user_id`
    (once per `draw_id`); a coupon prize is already the user's (`coupon_id`); an item waits
    for shipping. `prize_id` None is no prize."""

    draw_id: UUID
    lottery_id: UUID
    campaign_id: UUID | None = None
    user_id: UUID
    counter: int = Field(description="The user's n-th draw in this lottery, from 1")
    prize_id: UUID | None = None
    prize_kind: str | None = Field(default=None, description="coupon, points or item")
    points: int | None = None
    coupon_id: UUID | None = None
    drawn_at: datetime
