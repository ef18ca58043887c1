"""Events the catalog publishes: the contract partners and other services rely on."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from chassis.events import EventData, event
from chassis.money import Money


class CategoryRole(StrEnum):
    """The part a category plays in the assortment (品类角色)."""

    CORE = "core"  # 核心
    ADVANTAGE = "advantage"  # 优势
    POTENTIAL = "potential"  # 潜力
    TO_ELIMINATE = "to_eliminate"  # 淘汰


CATEGORY = "flywheel.catalog.category"


@event("flywheel.catalog.category.created.v1", topic=CATEGORY, key="category_id")
class CategoryCreated(EventData):
    """An operator added a category to the tree (`parent_id` None: a root)."""

    category_id: UUID
    parent_id: UUID | None
    name: str
    role: CategoryRole
    created_at: datetime


@event("flywheel.catalog.category.updated.v1", topic=CATEGORY, key="category_id")
class CategoryUpdated(EventData):
    """A category was renamed, moved, given another role or archived: its state after it.
    Archiving a category archives its subtree: one event per category archived."""

    category_id: UUID
    parent_id: UUID | None
    name: str
    role: CategoryRole
    archived: bool
    updated_at: datetime


@event("flywheel.catalog.product.created.v1", topic="flywheel.catalog.product", key="product_id")
class ProductCreated(EventData):
    """A product was created (as a draft unless stated otherwise)."""

    product_id: UUID
    name: str
    state: str
    price: Money | None = None
    created_at: datetime


class StockLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sku_id: UUID
    quantity: int = Field(gt=0)


class RejectedLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sku_id: UUID
    requested: int = Field(gt=0)
    available: int = Field(ge=0, description="0 also for an unknown or delisted SKU")


STOCK = "flywheel.catalog.stock"


@event("flywheel.catalog.stock.reserved.v1", topic=STOCK, key="order_id")
class StockReserved(EventData):
    """Every line of an order is reserved until `expires_at` (then released by itself)."""

    order_id: UUID
    lines: list[StockLine] = Field(min_length=1)
    expires_at: datetime


@event("flywheel.catalog.stock.rejected.v1", topic=STOCK, key="order_id")
class StockRejected(EventData):
    """An order could not be reserved: nothing was taken; `lines` are the lines that failed."""

    order_id: UUID
    lines: list[RejectedLine] = Field(min_length=1)


@event("flywheel.catalog.stock.confirmed.v1", topic=STOCK, key="order_id")
class StockConfirmed(EventData):
    """A paid order's reservation became a sale: on-hand went down by its lines."""

    order_id: UUID
    lines: list[StockLine] = Field(min_length=1)


@event("flywheel.catalog.stock.released.v1", topic=STOCK, key="order_id")
class StockReleased(EventData):
    """A reservation was given back (order cancelled, or it expired unpaid), once."""

    order_id: UUID
    lines: list[StockLine] = Field(min_length=1)
    expired: bool
