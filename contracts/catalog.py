"""Events the catalog publishes: the contract partners and other services rely on."""

from datetime import datetime
from uuid import UUID

from chassis.events import EventData, event
from chassis.money import Money


@event("flywheel.catalog.product.created.v1", topic="flywheel.catalog.product", key="product_id")
class ProductCreated(EventData):
    """A product was created (as a draft unless stated otherwise)."""

    product_id: UUID
    name: str
    state: str
    price: Money | None = None
    created_at: datetime
