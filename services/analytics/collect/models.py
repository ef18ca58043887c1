"""Tables of collection."""

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from services.analytics.models import Base


class CollectedKey(Base):
    """A client event already published: at most one per (anonymous id, client event id)."""

    __tablename__ = "collected_keys"
    __table_args__ = (Index("ix_collected_keys_collected_at", "collected_at"),)

    anonymous_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    collected_at: Mapped[datetime] = mapped_column(UtcDateTime)
