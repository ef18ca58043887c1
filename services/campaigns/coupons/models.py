"""Tables of coupons: templates operators issue, and the coupons customers hold."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from services.campaigns.coupons.pricing import CouponKind, CouponStatus, HeldCoupon, Scope, Terms
from services.campaigns.coupons.triggers import Conditions, GrantTrigger
from services.campaigns.models import Base


class CouponTemplate(Base):
    __tablename__ = "coupon_templates"
    # The total is never exceeded: claims take it in one guarded UPDATE, and the database
    # refuses a count past it whatever the code does.
    __table_args__ = (CheckConstraint("claimed <= total_quantity", name="claimed_within_total"),)

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    campaign_id: Mapped[UUID | None] = mapped_column(Uuid, ForeignKey("campaigns.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CouponKind] = mapped_column(enum_column(CouponKind))
    currency: Mapped[str] = mapped_column(String(3))
    amount_off: Mapped[int] = mapped_column(BigInteger, default=0)
    percent_off: Mapped[int] = mapped_column(Integer, default=0)
    cap: Mapped[int | None] = mapped_column(BigInteger)
    threshold: Mapped[int] = mapped_column(BigInteger, default=0)
    repeatable: Mapped[bool] = mapped_column(Boolean, default=False)
    valid_from: Mapped[datetime | None] = mapped_column(UtcDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    valid_days: Mapped[int | None] = mapped_column(Integer)
    total_quantity: Mapped[int] = mapped_column(Integer)
    claimed: Mapped[int] = mapped_column(Integer, default=0)
    per_user_limit: Mapped[int] = mapped_column(Integer, default=1)
    sku_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    category_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    brand_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    excluded_sku_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    stacking_group: Mapped[str] = mapped_column(String(64), default="default")
    grant_on: Mapped[GrantTrigger | None] = mapped_column(enum_column(GrantTrigger), index=True)
    # A coupon of an order refunded (orders names it in refund.completed) goes back to its
    # holder, claimed again, when the template says so.
    restore_on_refund: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)

    @property
    def terms(self) -> Terms:
        return Terms(
            kind=self.kind,
            currency=self.currency,
            amount_off=self.amount_off,
            percent_off=self.percent_off,
            cap=self.cap,
            threshold=self.threshold,
            repeatable=self.repeatable,
            scope=Scope(*(frozenset(map(UUID, ids)) for ids in self._scope_lists())),
            stacking_group=self.stacking_group,
        )

    def _scope_lists(self) -> tuple[list[str], ...]:
        return self.sku_ids, self.category_ids, self.brand_ids, self.excluded_sku_ids

    @property
    def remaining(self) -> int:
        return self.total_quantity - self.claimed


class Coupon(Base):
    """One coupon a customer holds. `claim_number` is its place among the holder's coupons
    of the template (1 .. per-user limit): the unique constraint over it is what keeps a
    customer within the limit, however many claims race."""

    __tablename__ = "coupons"
    __table_args__ = (
        UniqueConstraint("template_id", "holder_id", "claim_number"),
        Index("ix_coupons_holder_id_id", "holder_id", "id"),
        Index("ix_coupons_status_valid_until", "status", "valid_until"),  # the expiry's scan
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    template_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("coupon_templates.id"))
    holder_id: Mapped[UUID] = mapped_column(Uuid)
    claim_number: Mapped[int] = mapped_column(Integer)
    status: Mapped[CouponStatus] = mapped_column(
        enum_column(CouponStatus), default=CouponStatus.CLAIMED
    )
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[datetime] = mapped_column(UtcDateTime)
    # While locked or redeemed: the order, and the discount taken for it (what a release
    # or a budget measures, never recomputed).
    order_id: Mapped[UUID | None] = mapped_column(Uuid, index=True)
    discount: Mapped[int | None] = mapped_column(BigInteger)
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    locked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    redeemed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    template: Mapped[CouponTemplate] = relationship(lazy="joined")

    @property
    def name(self) -> str:
        return self.template.name

    @property
    def kind(self) -> CouponKind:
        return self.template.kind

    def held(self) -> HeldCoupon:
        """This coupon as the pricing rules see it."""
        return HeldCoupon(
            self.id, self.template.terms, self.status, self.valid_from, self.valid_until
        )


class GrantStatus(StrEnum):
    RUNNING = "running"  # batches go on from `after`
    DONE = "done"  # every member seen


class SegmentGrant(Base):
    """An operator's grant of a template's coupon to every member of a users segment, one
    batch of members (by user id) per transaction; `after` is the last member handled, so
    the grant goes on from there after a restart."""

    __tablename__ = "segment_grants"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    template_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("coupon_templates.id"))
    segment_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    status: Mapped[GrantStatus] = mapped_column(
        enum_column(GrantStatus), default=GrantStatus.RUNNING, index=True
    )
    members: Mapped[int] = mapped_column(Integer)  # in the segment when the grant began
    after: Mapped[UUID | None] = mapped_column(Uuid)
    seen: Mapped[int] = mapped_column(Integer, default=0)
    granted: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)  # at their limit, or none left
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SegmentGrantRecipient(Base):
    """A member a grant has handled: at most once per grant, whatever retries and replicas
    do (the primary key)."""

    __tablename__ = "segment_grant_recipients"

    grant_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("segment_grants.id"), primary_key=True)
    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    coupon_id: Mapped[UUID | None] = mapped_column(Uuid)  # None: skipped


class GrantRule(Base):
    """An operator's rule: upon each event of `trigger` that meets its conditions, the user
    is given one coupon of the template, once per rule (the recipients' primary key)."""

    __tablename__ = "coupon_grant_rules"
    __table_args__ = (Index("ix_coupon_grant_rules_trigger_active", "trigger", "active"),)

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    template_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("coupon_templates.id"))
    name: Mapped[str] = mapped_column(String(200))
    trigger: Mapped[GrantTrigger] = mapped_column(enum_column(GrantTrigger))
    to_stages: Mapped[list[str]] = mapped_column(JSON, default=list)
    from_stages: Mapped[list[str]] = mapped_column(JSON, default=list)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    to_tiers: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    template: Mapped[CouponTemplate] = relationship(lazy="joined")

    @property
    def conditions(self) -> Conditions:
        return Conditions(
            to_stages=frozenset(self.to_stages),
            from_stages=frozenset(self.from_stages),
            reasons=frozenset(self.reasons),
            to_tiers=frozenset(self.to_tiers),
        )


class GrantRuleRecipient(Base):
    """A user a rule has fired for: at most once per rule, however often its events come
    (the primary key, taken before the coupon is given, in the consumer's transaction)."""

    __tablename__ = "coupon_grant_rule_recipients"

    rule_id: Mapped[UUID] = mapped_column(
        Uuid, ForeignKey("coupon_grant_rules.id"), primary_key=True
    )
    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    coupon_id: Mapped[UUID | None] = mapped_column(Uuid)
    skipped: Mapped[str | None] = mapped_column(String(200))  # why no coupon was given
    fired_at: Mapped[datetime] = mapped_column(UtcDateTime)


class GrantRuleYearlyRecipient(Base):
    """A user a yearly rule (a birthday's) has fired for in a year: at most once per rule
    and year, however often that year's event comes (the primary key, taken before the coupon
    is given); next year's event gives again."""

    __tablename__ = "coupon_grant_rule_yearly_recipients"

    rule_id: Mapped[UUID] = mapped_column(
        Uuid, ForeignKey("coupon_grant_rules.id"), primary_key=True
    )
    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    coupon_id: Mapped[UUID | None] = mapped_column(Uuid)
    skipped: Mapped[str | None] = mapped_column(String(200))  # why no coupon was given
    fired_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CallReward(Base):
    """A content call's winner rewarded with a coupon: at most once per (call, post),
    however often `call.winner_chosen` comes (the primary key, taken before the coupon is
    given, in the consumer's transaction). `skipped`: why no coupon was given."""

    __tablename__ = "coupon_call_rewards"

    call_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    post_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    author_id: Mapped[UUID] = mapped_column(Uuid)
    rank: Mapped[int] = mapped_column(Integer)
    template_id: Mapped[UUID] = mapped_column(Uuid)
    coupon_id: Mapped[UUID | None] = mapped_column(Uuid)
    skipped: Mapped[str | None] = mapped_column(String(200))
    rewarded_at: Mapped[datetime] = mapped_column(UtcDateTime)
