"""Tables of the gateway's own database: partners and their API keys."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, ForeignKey, MetaData, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from chassis.clock import now
from chassis.db import UtcDateTime
from chassis.ids import new_id

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Partner(Base):
    """A partner system; its keys may call the route prefixes in `scopes`."""

    __tablename__ = "gateway_partners"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    keys: Mapped[list["PartnerKey"]] = relationship(
        back_populates="partner", order_by="PartnerKey.id", lazy="selectin"
    )


class PartnerKey(Base):
    """An API key: only its SHA-256 is stored; `prefix` lets people tell keys apart."""

    __tablename__ = "gateway_partner_keys"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    partner_id: Mapped[UUID] = mapped_column(ForeignKey("gateway_partners.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    partner: Mapped[Partner] = relationship(back_populates="keys", lazy="joined")
