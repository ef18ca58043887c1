"""What a SKU offers now (pure): the price in force at a time, and why a SKU cannot be ordered.

The read model keeps each SKU's price points (a price and the time it applies from) and its
product's listing state; an order or a cart asks `offer.refusal` before it takes the SKU.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from chassis.money import Money

LISTED, DELISTED = "listed", "delisted"  # catalog's listing states of these names


# PricePoint and Offer are frozen as values are; nothing assigns to them, so unfrozen they
# answer the same (equivalent mutants).
@dataclass(frozen=True)  # pragma: no mutate
class PricePoint:
    effective_at: datetime
    price: Money


def in_force(points: Iterable[PricePoint], at: datetime) -> Money | None:
    """The price that applies at `at`: the latest point that took effect at or before it
    (a point announced for later is not yet in force). None when none has."""
    started = [point for point in points if point.effective_at <= at]
    return max(started, key=lambda point: point.effective_at).price if started else None


@dataclass(frozen=True)  # pragma: no mutate
class Offer:
    """A SKU as the catalog last described it: whether it still exists, its product's
    listing state (None when no event told it yet), its price in force now, its weight."""

    sku_id: UUID
    product_id: UUID
    present: bool
    listing: str | None
    price: Money | None
    weight_grams: int | None = None  # a unit's, when the catalog published it

    @property
    def refusal(self) -> str | None:
        """Why the SKU cannot be ordered now, or None when it can."""
        if not self.present:
            return f"{self.sku_id} is no longer one of its product's SKUs"
        if self.listing == DELISTED:
            return f"{self.sku_id} was delisted: it is not on sale"
        if self.price is None:
            return f"{self.sku_id} has no price yet, so it cannot be ordered"
        return None


def refusal(sku_id: UUID, offer: Offer | None) -> str | None:
    """Why `sku_id` cannot be ordered now (unknown to the catalog's events, or its offer's
    refusal), or None when it can."""
    if offer is None:
        return f"{sku_id} is not a SKU the catalog sells"
    return offer.refusal
