"""Tables of membership."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime, enum_column
from contracts.users import Tier
from services.users.models import Base


class Membership(Base):
    """A user's tier, since when, and when it is next reviewed (NULL for regular: nothing to
    lose). No row means regular."""

    __tablename__ = "memberships"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    tier: Mapped[Tier] = mapped_column(enum_column(Tier))
    since: Mapped[datetime] = mapped_column(UtcDateTime)
    review_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
