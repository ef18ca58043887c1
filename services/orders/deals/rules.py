"""Whether an order may take a group buy's, a bargain's or a flash reservation's price (pure),
and the terms it gets.

A group order is the group's SKU alone, at the group price, while the group is open (or, once
it completed, by one of its members); a bargain order is one unit of the bargained SKU at the
floor, by its starter, before `order_until`; a flash order has one line of the reservation's
SKU, at most its quantity, at the flash price, while the reservation is held and not expired.
Anything else is a 422 (a reservation no longer usable a 409) naming the field.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from chassis.http.problems import Conflict, FieldError, InvalidInput
from chassis.money import Money


class GroupStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass(frozen=True)
class Deal:
    """The price an order's line of `sku_id` takes instead of the list price."""

    sku_id: UUID
    unit_price: Money
    max_quantity: int | None = None


@dataclass(frozen=True)
class GroupTerms:
    sku_id: UUID
    price: Money
    status: GroupStatus
    expires_at: datetime
    members: frozenset[UUID] = frozenset()


@dataclass(frozen=True)
class BargainTerms:
    sku_id: UUID
    starter_id: UUID
    floor_price: Money
    order_until: datetime
    ordered: bool


@dataclass(frozen=True)
class FlashTerms:
    """A flash reservation as campaigns tells it (`GET .../flash/reservations/{id}`)."""

    reservation_id: UUID
    session_id: UUID
    sku_id: UUID
    quantity: int
    flash_price: Money
    status: str
    expires_at: datetime


GROUP, BARGAIN, FLASH = "body.group_id", "body.bargain_id", "body.flash_reservation_id"
HELD = "reserved"  # campaigns' status of a reservation waiting for its order


def group_deal(group: GroupTerms | None, customer_id: UUID, at: datetime) -> Deal:
    if group is None:
        raise InvalidInput(GROUP, "no such group buy (or campaigns has not announced it yet)")
    if group.status == GroupStatus.FAILED:
        raise InvalidInput(GROUP, "the group buy failed: it did not fill in time")
    if group.status == GroupStatus.COMPLETED and customer_id not in group.members:
        raise InvalidInput(GROUP, "the group buy is full and you are not one of its members")
    if group.status == GroupStatus.OPEN and group.expires_at <= at:
        raise InvalidInput(GROUP, f"the group buy's time ran out at {group.expires_at.isoformat()}")
    return Deal(group.sku_id, group.price)


def bargain_deal(bargain: BargainTerms | None, customer_id: UUID, at: datetime) -> Deal:
    if bargain is None or bargain.starter_id != customer_id:
        # Another customer's bargain is as unknown as none: its id reveals nothing.
        raise InvalidInput(BARGAIN, "no bargain of yours that reached its floor price")
    if bargain.ordered:
        raise InvalidInput(BARGAIN, "the bargain was ordered already")
    if bargain.order_until <= at:
        raise InvalidInput(
            BARGAIN, f"the bargain could be ordered until {bargain.order_until.isoformat()}"
        )
    return Deal(bargain.sku_id, bargain.floor_price, max_quantity=1)


def check_lines(deal: Deal, field: str, requested: Sequence[tuple[UUID, int]]) -> None:
    """A deal's order is one line, of the deal's SKU (and at most its quantity)."""
    if len(requested) != 1 or requested[0][0] != deal.sku_id:
        what = "a group buy's" if field == GROUP else "a bargain's"
        raise InvalidInput("body.lines", f"an order at {what} price is one line, of {deal.sku_id}")
    if deal.max_quantity is not None and requested[0][1] > deal.max_quantity:
        raise InvalidInput("body.lines.0.quantity", f"at most {deal.max_quantity} at this price")


class FlashUnusable(Conflict):
    """A reservation of the customer's that can no longer be ordered (409 naming the field)."""

    def __init__(self, message: str) -> None:
        super().__init__(
            f"{FLASH}: {message}",
            errors=[FieldError(field=FLASH, message=message, type="conflict").model_dump()],
        )


def flash_deal(
    flash: FlashTerms | None, requested: Sequence[tuple[UUID, int]], at: datetime
) -> Deal:
    """The flash price for the order's line of the reservation's SKU, if the reservation is
    the customer's (None: campaigns knows none of theirs), still held, not expired at `at`,
    and the order has that SKU once, in at most the reserved quantity (campaigns' own rule
    when it takes the reservation for the order)."""
    if flash is None:
        raise InvalidInput(FLASH, "no flash reservation of yours")
    if flash.status != HELD:
        raise FlashUnusable(f"the flash reservation is {flash.status}, no longer reserved")
    if flash.expires_at <= at:
        raise FlashUnusable(f"the flash reservation expired at {flash.expires_at.isoformat()}")
    indices = [i for i, (sku_id, _) in enumerate(requested) if sku_id == flash.sku_id]
    if not indices:
        raise InvalidInput(
            "body.lines", f"no line of {flash.sku_id}, the SKU the flash reservation is for"
        )
    if len(indices) > 1:
        raise InvalidInput(
            f"body.lines.{indices[1]}.sku_id", "the flash reservation's SKU goes on one line"
        )
    if requested[indices[0]][1] > flash.quantity:
        raise InvalidInput(
            f"body.lines.{indices[0]}.quantity",
            f"at most {flash.quantity} at the flash price: the units reserved",
        )
    return Deal(flash.sku_id, flash.flash_price, max_quantity=flash.quantity)
