"""Tables of the event store's SQL side: rows on their way into the store."""

from datetime import datetime

from sqlalchemy import BigInteger, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from services.analytics.models import Base


class SpooledRows(Base):
    """One batch of store rows, written in the transaction that accepted its events and
    deleted once the store holds them (store/spool.py): a store that is down, or a process
    that dies between the commit and the insert, loses nothing."""

    __tablename__ = "store_spool"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    events: Mapped[str] = mapped_column(Text, doc="JSONEachRow lines for `events`")
    identities: Mapped[str] = mapped_column(Text, doc="JSONEachRow lines for `identities`")
    spooled_at: Mapped[datetime] = mapped_column(UtcDateTime)
