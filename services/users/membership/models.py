"""Tables of membership."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, Integer, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime, enum_column
from contracts.users import Tier
from services.users.models import Base


class TierTable(Base):
    """One version of the tiers' thresholds and benefits (`levels`: a list of
    `{tier, spend_12m, benefits: {...}}` in tier order); the highest version is in force.
    Versions are never changed, and the primary key lets one change make each next one."""

    __tablename__ = "membership_tiers"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    levels: Mapped[list[dict]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[UUID | None] = mapped_column(Uuid)


class Membership(Base):
    """A user's tier, since when, and when it is next reviewed (NULL for regular: nothing to
    lose). No row means regular."""

    __tablename__ = "memberships"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    tier: Mapped[Tier] = mapped_column(enum_column(Tier))
    since: Mapped[datetime] = mapped_column(UtcDateTime)
    review_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
