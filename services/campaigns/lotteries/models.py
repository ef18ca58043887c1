"""Tables of lotteries: lotteries and their prizes, entrants' chances, grants, the draws."""

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from chassis.money import money_columns
from services.campaigns.lotteries.prizes import Fulfilment, PrizeKind
from services.campaigns.models import Base


class Lottery(Base):
    """A lottery. `server_seed` stays secret until `closes_at`; its SHA-256 is public from
    the start. The prizes and weights are fixed at creation: they are what the seed's
    hash commits the draws to."""

    __tablename__ = "lotteries"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    campaign_id: Mapped[UUID | None] = mapped_column(Uuid, ForeignKey("campaigns.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closes_at: Mapped[datetime] = mapped_column(UtcDateTime)
    time_zone: Mapped[str] = mapped_column(String(64))
    draws_per_day: Mapped[int] = mapped_column(Integer)
    # Extra chances for a user's check-in or referral while the lottery is open (users'
    # points.earned; 0: none).
    chances_per_check_in: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    chances_per_referral: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    no_prize_weight: Mapped[int] = mapped_column(Integer)
    server_seed: Mapped[bytes] = mapped_column(LargeBinary(32))
    seed_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    prizes: Mapped[list["Prize"]] = relationship(lazy="selectin", order_by="Prize.position")


class Prize(Base):
    """A prize of a lottery at its published `position`; `stock_left` only goes down, by
    one guarded UPDATE per award."""

    __tablename__ = "lottery_prizes"
    __table_args__ = (
        UniqueConstraint("lottery_id", "position"),
        CheckConstraint("stock_left >= 0 AND stock_left <= stock", name="stock_left_within_stock"),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    lottery_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("lotteries.id"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[PrizeKind] = mapped_column(enum_column(PrizeKind))
    weight: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer)
    stock_left: Mapped[int] = mapped_column(Integer)
    coupon_template_id: Mapped[UUID | None] = mapped_column(Uuid, ForeignKey("coupon_templates.id"))
    points: Mapped[int | None] = mapped_column(Integer)
    # What each award costs the campaign's budget (points and items; a coupon's discount is
    # charged when an order uses it).
    cost_amount: Mapped[int | None] = mapped_column(BigInteger)
    cost_currency: Mapped[str | None] = mapped_column(String(3))
    cost = money_columns("cost_amount", "cost_currency")


class Entrant(Base):
    """A user's counters in a lottery: draws made (the next draw's counter is `draws + 1`)
    and extra chances granted and used; each moved by one guarded statement."""

    __tablename__ = "lottery_entrants"
    __table_args__ = (
        CheckConstraint("extra_used >= 0 AND extra_used <= extra_granted", name="extra_within"),
    )

    lottery_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("lotteries.id"), primary_key=True)
    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    draws: Mapped[int] = mapped_column(Integer, default=0)
    extra_granted: Mapped[int] = mapped_column(Integer, default=0)
    extra_used: Mapped[int] = mapped_column(Integer, default=0)


class DailyChances(Base):
    """The daily chances a user used on one day of the lottery's time zone."""

    __tablename__ = "lottery_daily_chances"

    lottery_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("lotteries.id"), primary_key=True)
    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    used: Mapped[int] = mapped_column(Integer)


class ChanceGrant(Base):
    """Extra chances granted once per key (an action's id: a check-in, a share, an
    operator's request), so a retried or redelivered grant grants nothing twice."""

    __tablename__ = "lottery_chance_grants"

    lottery_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("lotteries.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    user_id: Mapped[UUID] = mapped_column(Uuid)
    chances: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    granted_by: Mapped[UUID | None] = mapped_column(Uuid)
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class Draw(Base):
    """One draw: the audit log's line. `picked_position` is what the roll picked,
    `prize_id` what was awarded (None: no prize)."""

    __tablename__ = "lottery_draws"
    __table_args__ = (
        UniqueConstraint("lottery_id", "user_id", "counter"),
        Index("ix_lottery_draws_lottery_id_id", "lottery_id", "id"),
        Index("ix_lottery_draws_user_id_id", "user_id", "id"),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    lottery_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("lotteries.id"))
    user_id: Mapped[UUID] = mapped_column(Uuid)
    counter: Mapped[int] = mapped_column(Integer)
    picked_position: Mapped[int | None] = mapped_column(Integer)
    prize_id: Mapped[UUID | None] = mapped_column(Uuid, ForeignKey("lottery_prizes.id"))
    fulfilment: Mapped[Fulfilment] = mapped_column(enum_column(Fulfilment))
    fulfilment_note: Mapped[str | None] = mapped_column(String(500))
    coupon_id: Mapped[UUID | None] = mapped_column(Uuid)
    drawn_at: Mapped[datetime] = mapped_column(UtcDateTime)
    prize: Mapped[Prize | None] = relationship(lazy="joined")
