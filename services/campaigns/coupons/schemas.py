"""Request and response bodies of the coupon routes."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from chassis.http.fields import JsonBool, JsonInt, Timestamp, Trimmed
from chassis.money import MAX_AMOUNT, Money
from contracts.users import LifecycleReason, LifecycleStage, Tier
from services.campaigns.coupons import triggers
from services.campaigns.coupons.models import GrantStatus, GrantTrigger
from services.campaigns.coupons.pricing import CouponKind, CouponStatus, Reason

Name = Trimmed(200)
Group = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
Amount = Annotated[JsonInt, Field(ge=0, le=MAX_AMOUNT)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Ids = Annotated[list[UUID], Field(max_length=1000)]

# Which of the kind-specific terms each kind needs (>0) and which it must leave out.
NEEDS = {
    CouponKind.FIXED: {"amount_off"},
    CouponKind.THRESHOLD: {"amount_off", "threshold"},
    CouponKind.PERCENT: {"percent_off"},
    CouponKind.FREE_SHIPPING: set(),
}
FORBIDS = {
    CouponKind.FIXED: {"percent_off", "cap", "repeatable"},
    CouponKind.THRESHOLD: {"percent_off", "cap"},
    CouponKind.PERCENT: {"amount_off", "repeatable"},
    CouponKind.FREE_SHIPPING: {"amount_off", "percent_off", "cap", "repeatable"},
}


class TemplateRequest(BaseModel):
    """A coupon template. Validity is fixed dates (`valid_from`, `valid_until`) or
    `valid_days` after each claim. Amounts are minor units of `currency`."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    kind: CouponKind
    currency: Currency
    campaign_id: UUID | None = None
    amount_off: Amount = Field(default=0, validate_default=True)
    percent_off: JsonInt = Field(default=0, ge=0, le=99, validate_default=True)
    cap: Amount | None = Field(default=None, validate_default=True)
    threshold: Amount = Field(default=0, validate_default=True, description="Minimum spend")
    repeatable: JsonBool = Field(
        default=False, validate_default=True, description="满减 per threshold"
    )
    valid_from: Timestamp | None = None
    valid_until: Timestamp | None = Field(default=None, validate_default=True)
    valid_days: JsonInt | None = Field(default=None, ge=1, le=3660, validate_default=True)
    total_quantity: JsonInt = Field(ge=1, le=100_000_000)
    per_user_limit: JsonInt = Field(default=1, ge=1, le=100)
    sku_ids: Ids = []
    category_ids: Ids = []
    brand_ids: Ids = []
    excluded_sku_ids: Ids = []
    stacking_group: Group = "default"
    grant_on: GrantTrigger | None = Field(
        default=None,
        description="Also given to every new user (`registration`: a welcome perk); other "
        "triggers take conditions, set by a grant rule",
    )
    restore_on_refund: bool = Field(
        default=False,
        description="A coupon of an order refunded goes back to its holder, to use again",
    )

    @field_validator("amount_off", "percent_off", "cap", "threshold", "repeatable")
    @classmethod
    def _terms_of_the_kind(cls, value, info: ValidationInfo):
        kind = info.data.get("kind")
        if kind is None:
            return value
        if info.field_name in NEEDS[kind] and not value:
            raise ValueError(f"a {kind} coupon needs it")
        if info.field_name in FORBIDS[kind] and value:
            raise ValueError(f"a {kind} coupon has none")
        return value

    @field_validator("grant_on")
    @classmethod
    def _without_conditions(cls, trigger: GrantTrigger | None) -> GrantTrigger | None:
        if trigger is not None and trigger != GrantTrigger.REGISTRATION:
            raise ValueError(f"a {trigger} grant is set up as a grant rule")
        return trigger

    @field_validator("valid_until")
    @classmethod
    def _fixed_window(cls, until: datetime | None, info: ValidationInfo) -> datetime | None:
        start = info.data.get("valid_from")
        if (start is None) != (until is None):
            raise ValueError("fixed validity needs both valid_from and valid_until")
        if start is not None and until <= start:
            raise ValueError("must be after valid_from")
        return until

    @field_validator("valid_days")
    @classmethod
    def _one_validity(cls, days: int | None, info: ValidationInfo) -> int | None:
        fixed = info.data.get("valid_until") is not None
        if "valid_until" in info.data and fixed == (days is not None):
            raise ValueError("give either valid_days or valid_from and valid_until")
        return days


class TemplateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    kind: CouponKind
    currency: str
    campaign_id: UUID | None
    amount_off: int
    percent_off: int
    cap: int | None
    threshold: int
    repeatable: bool
    valid_from: datetime | None
    valid_until: datetime | None
    valid_days: int | None
    total_quantity: int
    remaining: int
    per_user_limit: int
    sku_ids: list[UUID]
    category_ids: list[UUID]
    brand_ids: list[UUID]
    excluded_sku_ids: list[UUID]
    stacking_group: str
    grant_on: GrantTrigger | None
    restore_on_refund: bool


class ClaimRequest(BaseModel):
    """What a claim asks for (its Idempotency-Key fingerprint)."""

    template_id: UUID


class CouponOut(BaseModel):
    """A coupon its holder sees."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    template_id: UUID
    name: str
    kind: CouponKind
    status: CouponStatus
    valid_from: datetime
    valid_until: datetime
    claimed_at: datetime
    order_id: UUID | None


class CartLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku_id: UUID
    category_id: UUID | None = None
    brand_id: UUID | None = None
    unit_price: Money
    quantity: JsonInt = Field(gt=0, le=10_000)


class QuoteRequest(BaseModel):
    """A cart to price. `coupon_ids`: the coupons to consider, or null for every coupon
    the customer holds (the storefront's "best price" suggestion); [] prices no coupon."""

    model_config = ConfigDict(extra="forbid")

    lines: list[CartLine] = Field(min_length=1, max_length=200)
    shipping_fee: Money | None = None
    coupon_ids: list[UUID] | None = Field(default=None, max_length=100)

    @field_validator("lines")
    @classmethod
    def _one_currency(cls, lines: list[CartLine]) -> list[CartLine]:
        if len({line.unit_price.currency for line in lines}) > 1:
            raise ValueError("a cart is priced in one currency")
        if sum(line.unit_price.amount * line.quantity for line in lines) > MAX_AMOUNT:
            raise ValueError(f"a cart totals at most {MAX_AMOUNT} minor units")
        return lines

    @field_validator("shipping_fee")
    @classmethod
    def _in_the_carts_currency(cls, fee: Money | None, info: ValidationInfo) -> Money | None:
        lines = info.data.get("lines")
        if fee is not None and lines and fee.currency != lines[0].unit_price.currency:
            raise ValueError("a cart is priced in one currency")
        subtotal = sum(line.unit_price.amount * line.quantity for line in lines or ())
        if fee is not None and subtotal + fee.amount > MAX_AMOUNT:
            raise ValueError(f"a cart totals at most {MAX_AMOUNT} minor units")
        return fee


class QuotedLine(BaseModel):
    """A cart line: `amount` at the price it came at; `unit_price` the price it is quoted
    at (a running campaign's, when lower: `campaign_id`, `campaign_discount`); `discount`
    the coupons' share on the line; `pays` what is left."""

    sku_id: UUID
    amount: Money
    unit_price: Money
    campaign_id: UUID | None
    campaign_discount: Money
    discount: Money
    pays: Money


class AppliedCoupon(BaseModel):
    coupon_id: UUID
    discount: Money
    on_shipping: bool


class RefusedCoupon(BaseModel):
    coupon_id: UUID
    reason: Reason


class QuoteOut(BaseModel):
    """`subtotal` at the prices the lines came at; `campaign_discount` what campaign prices
    take off it; `discount` what the coupons take off after them; `total` what is paid."""

    subtotal: Money
    shipping_fee: Money
    campaign_discount: Money
    discount: Money
    total: Money
    lines: list[QuotedLine]
    applied: list[AppliedCoupon]
    not_applied: list[RefusedCoupon]


class SegmentGrantRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    segment_id: UUID = Field(description="A segment of the users service")


class SegmentGrantOut(BaseModel):
    """A grant's progress: `seen` of the `members` the segment had when it began (members
    who joined since are reached too, so `seen` may pass it), `granted` and `skipped` (at
    their per-user limit, or the total gone)."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    template_id: UUID
    segment_id: UUID
    status: GrantStatus
    members: int
    seen: int
    granted: int
    skipped: int
    created_at: datetime
    finished_at: datetime | None


class GrantRuleRequest(BaseModel):
    """A rule giving the template's coupon upon an event: `registration` (no conditions),
    `lifecycle` (`to_stages` required; `from_stages`, `reasons` optional), `tier`
    (`to_tiers`), `birthday` (no conditions; once a year). A condition left empty accepts
    any value."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    template_id: UUID
    trigger: GrantTrigger
    to_stages: list[LifecycleStage] = Field(default=[], max_length=10, validate_default=True)
    from_stages: list[LifecycleStage] = Field(default=[], max_length=10, validate_default=True)
    reasons: list[LifecycleReason] = Field(default=[], max_length=10, validate_default=True)
    to_tiers: list[Tier] = Field(default=[], max_length=10, validate_default=True)

    @field_validator("to_stages", "from_stages", "reasons", "to_tiers")
    @classmethod
    def _conditions_of_the_trigger(cls, values: list, info: ValidationInfo) -> list:
        trigger = info.data.get("trigger")
        if trigger is None:
            return values
        if values and info.field_name not in triggers.CONDITIONS[trigger]:
            raise ValueError(f"a {trigger} rule has no such condition")
        if not values and info.field_name == triggers.REQUIRED[trigger]:
            raise ValueError(f"a {trigger} rule needs it")
        return values


class GrantRuleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: JsonBool = Field(description="false: the rule gives no more coupons")


class GrantRuleOut(BaseModel):
    """A rule and what it did: users it `granted` a coupon, users it `skipped` (the total
    gone, their per-user limit reached, the campaign over or its budget spent)."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    template_id: UUID
    name: str
    trigger: GrantTrigger
    to_stages: list[LifecycleStage]
    from_stages: list[LifecycleStage]
    reasons: list[LifecycleReason]
    to_tiers: list[Tier]
    active: bool
    granted: int = 0
    skipped: int = 0
    created_at: datetime


class CallRewardOut(BaseModel):
    """A content call's winner and the coupon they were given, or why not."""

    model_config = ConfigDict(from_attributes=True)

    call_id: UUID
    post_id: UUID
    author_id: UUID
    rank: int
    template_id: UUID
    coupon_id: UUID | None
    skipped: str | None
    rewarded_at: datetime
