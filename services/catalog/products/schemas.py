"""Request and response bodies of the product routes."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from chassis.http.fields import Timestamp, Trimmed, WebUrl
from chassis.money import Money, Price
from services.catalog.products.listing import ListingState, ScheduledMove, ScheduleState


class SkuMove(StrEnum):
    """What `POST /products/{id}/skus/{sku_id}/{move}` does to one SKU."""

    DELIST = "delist"  # off sale while its product stays listed
    RELIST = "relist"  # back on sale


Name = Trimmed(200)
Label = Trimmed(50)
SkuCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Stock = Annotated[int, Field(strict=True, ge=0, le=1_000_000_000)]
# Shipping weight of one unit: what orders prices freight by. Up to a tonne.
Weight = Annotated[int, Field(strict=True, gt=0, le=1_000_000, description="Grams per unit")]


class SkuIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: SkuCode
    attributes: dict[Label, Label] = Field(default_factory=dict, max_length=10)
    price: Price
    cost: Price | None = None
    stock: Stock = 0
    low_stock_threshold: Stock = 0
    weight_grams: Weight | None = None


class ProductDetails(BaseModel):
    """What describes a product, apart from its SKUs."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    description: str | None = Field(default=None, max_length=10_000)
    brand: Label | None = None
    category_id: UUID | None = None
    attributes: dict[Label, list[Label]] = Field(default_factory=dict, max_length=10)
    media: list[WebUrl] = Field(default_factory=list, max_length=20)
    keywords: list[Label] = Field(default_factory=list, max_length=30)
    scenario_tags: list[Label] = Field(default_factory=list, max_length=20)


class ProductCreate(ProductDetails):
    skus: list[SkuIn] = Field(default_factory=list, max_length=200)
    price: Price | None = Field(
        default=None,
        description="Shorthand for a product without variants: one SKU at this price, whose "
        "id is the product's (give `skus` instead for variants)",
    )
    weight_grams: Weight | None = Field(
        default=None, description="With `price`: the one SKU's weight (with `skus`: theirs)"
    )


class SkuChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku_id: UUID
    weight_grams: Weight | None = Field(description="null: unknown")


class ProductChange(BaseModel):
    """Fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: str | None = Field(default=None, max_length=10_000)
    brand: Label | None = None
    category_id: UUID | None = None
    attributes: dict[Label, list[Label]] | None = Field(default=None, max_length=10)
    media: list[WebUrl] | None = Field(default=None, max_length=20)
    keywords: list[Label] | None = Field(default=None, max_length=30)
    scenario_tags: list[Label] | None = Field(default=None, max_length=20)
    skus: list[SkuChange] | None = Field(
        default=None, max_length=200, description="SKUs to change (only their weight today)"
    )


class ReviewNote(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Trimmed(500, min_length=0) | None = None


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Trimmed(500)


class SkuOut(BaseModel):
    id: UUID
    code: str
    attributes: dict[str, str]
    price: Money
    stock: int = Field(description="Units available to order now")
    weight_grams: int | None = Field(description="Shipping weight of one unit (None: unknown)")


class StaffSkuOut(SkuOut):
    list_price: Money
    sale_price: Money | None
    cost: Money | None
    on_hand: int
    reserved: int
    held: int = Field(description="Set aside for flash sessions")
    low_stock_threshold: int
    listed: bool = Field(description="On sale (False: delisted by itself; hidden from storefronts)")


class ProductOut(BaseModel):
    id: UUID
    name: str
    description: str | None
    brand: str | None
    category_id: UUID | None
    attributes: dict[str, list[str]]
    media: list[str]
    keywords: list[str]
    scenario_tags: list[str]
    state: ListingState
    price: Money | None = Field(description="The lowest price of its SKUs")
    in_stock: bool
    units_sold: int
    listed_at: datetime | None
    skus: list[SkuOut]
    created_at: datetime
    updated_at: datetime


class StaffProductOut(ProductOut):
    """What staff see: costs, stock counts and the listing review too."""

    skus: list[StaffSkuOut]
    submitted_by: UUID | None
    reviewed_by: UUID | None
    review_note: str | None


class ListingScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    move: ScheduledMove = Field(description="`list` a delisted product, or `delist` a listed one")
    at: Timestamp = Field(description="When, in the future")
    note: Trimmed(500, min_length=0) | None = None


class ListingScheduleOut(BaseModel):
    id: UUID
    product_id: UUID
    move: ScheduledMove
    at: datetime
    state: ScheduleState
    note: str | None = Field(description="The operator's note, or why it was skipped")
    created_by: UUID
    created_at: datetime
    settled_at: datetime | None
    cancelled_by: UUID | None
