"""Request and response bodies of the C2M routes."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from chassis.http.fields import Trimmed
from contracts.catalog import ProposalState
from services.catalog.c2m.rules import SignalKind, Trend

Word = Trimmed(40)
Note = Trimmed(1000)


class WantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    attributes: dict[Word, Word] = Field(
        default_factory=dict,
        max_length=5,
        description="What the customer wants it in, e.g. 颜色: 绿 (none: as it is)",
    )


class WishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku_id: UUID | None = Field(default=None, description="One SKU of the product, if chosen")


class SignalOut(BaseModel):
    id: UUID
    kind: SignalKind
    product_id: UUID | None
    sku_id: UUID | None
    attributes: dict[str, str]
    cluster_id: UUID
    created_at: datetime


class ClusterOut(BaseModel):
    """A cluster and its counts, kept as its signals arrive (since it began)."""

    id: UUID
    category_id: UUID | None
    attributes: dict[str, str] = Field(description="What the demand asks for (normalized)")
    keywords: list[str] = Field(description="The words of searches that found nothing")
    label: str
    signals: int = Field(description="Its signals (a wishlist entry taken off: out)")
    searches: int = Field(description="Of them, searches that found nothing")
    wants: int
    wishlists: int = Field(description="Wishlist entries on it now")
    askers: int = Field(description="Customers who wanted or wished for it, each once")
    last_asked_at: datetime | None = Field(description="Its latest signal")


class WantedProduct(BaseModel):
    product_id: UUID
    signals: int


class SearchedQuery(BaseModel):
    query: str = Field(description="As typed")
    signals: int


class ClusterFiguresOut(ClusterOut):
    """A cluster's counts with the windows of its signals, by the UTC day each was made."""

    volume: int = Field(description="Signals of the last 30 days (UTC, today's included)")
    last_week: int = Field(description="Signals of the last 7 days (UTC, today's included)")
    week_before: int = Field(description="Signals of the 7 days before those")
    trend: Trend = Field(
        description="new, rising (+25% or more), steady, falling (-20% or more), quiet"
    )
    change: float | None = Field(description="Last week over the week before (None: 0 before)")


class ClusterDetailOut(ClusterFiguresOut):
    products: list[WantedProduct] = Field(description="Products asked for, most first")
    queries: list[SearchedQuery] = Field(
        description="Searches that found nothing in it (30 days), most first"
    )


class ProposalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cluster_id: UUID
    supplier_id: UUID
    note: Note | None = None
    quantity: Annotated[int, Field(strict=True, gt=0, le=1_000_000_000)] | None = Field(
        default=None, description="Units a first order would take"
    )


class ProposalStepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note | None = Field(default=None, description="Required to decline: the reason")
    product_id: UUID | None = Field(default=None, description="With launch: the product")


class StepOut(BaseModel):
    from_state: ProposalState | None
    to_state: ProposalState
    note: str | None
    by: UUID
    at: datetime


class ProposalOut(BaseModel):
    id: UUID
    cluster_id: UUID
    supplier_id: UUID
    state: ProposalState
    note: str | None
    quantity: int | None
    volume: int = Field(description="The cluster's 30-day volume when it was proposed")
    product_id: UUID | None = Field(description="The product it launched as")
    created_by: UUID
    created_at: datetime
    updated_at: datetime


class ProposalDetailOut(ProposalOut):
    steps: list[StepOut]
