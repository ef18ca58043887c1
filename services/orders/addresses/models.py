"""Tables of the address book: a customer's saved shipping addresses, and the book itself
(how many it holds, which is the default)."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime
from chassis.ids import new_id
from services.orders.models import Base


class AddressBook(Base):
    """One per customer who saved an address. `size` is counted by guarded UPDATEs (the
    limit holds under concurrent creates); `default_address_id` is the one default."""

    __tablename__ = "address_books"

    customer_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    default_address_id: Mapped[UUID | None] = mapped_column(Uuid)


class Address(Base):
    __tablename__ = "addresses"
    __table_args__ = (Index("ix_addresses_customer", "customer_id", "created_at"),)

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    customer_id: Mapped[UUID] = mapped_column(Uuid)
    recipient: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(10))
    address_lines: Mapped[list[str]] = mapped_column(JSON)
    postal_code: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now, onupdate=now)
