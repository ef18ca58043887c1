"""Tables of the campaigns' deals an order may be priced by: group buys and bargains, as
campaigns' events told them (a read model; campaigns owns them), and the flash reservations
live orders name."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, BigInteger, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime
from chassis.money import money_columns
from services.orders.models import Base


class GroupDeal(Base):
    """A group buy (拼团): its SKU and group price from `group.opened`; `completed` with its
    members' customer ids, or `failed`, from the event that closed it."""

    __tablename__ = "group_deals"

    group_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    sku_id: Mapped[UUID] = mapped_column(Uuid)
    price_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(20), default="open")
    members: Mapped[list | None] = mapped_column(JSON)  # customer ids, once completed
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    price = money_columns("price_amount", "currency")


class BargainDeal(Base):
    """A bargain (砍价) that reached its floor (`bargain.completed`): its starter may order one
    unit of the SKU at the floor price until `order_until`, once (`order_id`)."""

    __tablename__ = "bargain_deals"

    bargain_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    sku_id: Mapped[UUID] = mapped_column(Uuid)
    starter_id: Mapped[UUID] = mapped_column(Uuid)
    price_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    order_until: Mapped[datetime] = mapped_column(UtcDateTime)
    order_id: Mapped[UUID | None] = mapped_column(Uuid)
    price = money_columns("price_amount", "currency")


class FlashClaim(Base):
    """The live order naming a flash reservation (秒杀): at most one (the primary key), so of
    two checkouts naming one reservation at once one is placed and the other refused. The
    claim goes when its order is cancelled; campaigns still decides whether the reservation
    can be ordered again (checkout reads it fresh)."""

    __tablename__ = "flash_claims"

    flash_reservation_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    order_id: Mapped[UUID] = mapped_column(Uuid, unique=True)
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
