"""Tables of group buys: templates, groups and their members."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from chassis.money import money_columns
from services.campaigns.groups.rules import GroupStatus
from services.campaigns.models import Base


class GroupTemplate(Base):
    """What a group buys: one SKU at the group price, for groups of `group_size` that fill
    within `time_limit_minutes` of being opened."""

    __tablename__ = "group_templates"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    campaign_id: Mapped[UUID | None] = mapped_column(Uuid, ForeignKey("campaigns.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    sku_id: Mapped[UUID] = mapped_column(Uuid)
    group_size: Mapped[int] = mapped_column(Integer)
    group_price_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    time_limit_minutes: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    group_price = money_columns("group_price_amount", "currency")


class Group(Base):
    """One group (团). `members` is its seat counter, moved only by the guarded join; the
    check constraint is the database's own refusal to seat more than `size`."""

    __tablename__ = "groups"
    __table_args__ = (
        CheckConstraint("members >= 0 AND members <= size", name="members_within_size"),
        Index("ix_groups_status_expires_at", "status", "expires_at"),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    template_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("group_templates.id"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    leader_id: Mapped[UUID] = mapped_column(Uuid)
    size: Mapped[int] = mapped_column(Integer)
    members: Mapped[int] = mapped_column(Integer)
    status: Mapped[GroupStatus] = mapped_column(enum_column(GroupStatus), default=GroupStatus.OPEN)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    template: Mapped[GroupTemplate] = relationship(lazy="joined")


class GroupMember(Base):
    """A customer's seat in a group: one per customer per group (the primary key), one
    customer per seat (the unique constraint)."""

    __tablename__ = "group_members"
    __table_args__ = (
        UniqueConstraint("group_id", "seat"),
        Index("ix_group_members_customer_id_group_id", "customer_id", "group_id"),
    )

    group_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("groups.id"), primary_key=True)
    customer_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    seat: Mapped[int] = mapped_column(Integer)
    order_id: Mapped[UUID | None] = mapped_column(Uuid, index=True)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
