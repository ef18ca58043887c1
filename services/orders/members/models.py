"""The read model of users' membership tiers: each customer's tier as users last told it."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from services.orders.models import Base


class MemberTier(Base):
    """A customer's tier from `tier.changed` (none kept: regular), with the time it changed."""

    __tablename__ = "member_tiers"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    tier: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
