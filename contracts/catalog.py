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


class SkuPrice(BaseModel):
    """A SKU as other services keep it: its code, what tells it apart, its price."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sku_id: UUID
    code: str
    attributes: dict[str, str] = Field(default_factory=dict, description="e.g. 颜色: 红")
    price: Money
    weight_grams: int | None = Field(
        default=None, ge=0, description="Shipping weight of one unit, in grams (None: unknown)"
    )
    listed: bool = Field(
        default=True, description="On sale; False: delisted by itself while its product is listed"
    )


PRODUCT = "flywheel.catalog.product"


@event("flywheel.catalog.product.created.v1", topic=PRODUCT, key="product_id")
class ProductCreated(EventData):
    """A product was created (as a draft unless stated otherwise).

    `price` is the lowest price of its SKUs (the "from" price; None without SKUs); `skus`
    carries each SKU with its own price, which orders and campaigns should key by."""

    product_id: UUID
    name: str
    state: str
    price: Money | None = None
    created_at: datetime
    category_id: UUID | None = None
    brand: str | None = None
    skus: list[SkuPrice] = Field(default_factory=list)


@event("flywheel.catalog.product.updated.v1", topic=PRODUCT, key="product_id")
class ProductUpdated(EventData):
    """A product's details or SKUs changed: its state after the change, every SKU with its
    price (a SKU absent from `skus` no longer exists)."""

    product_id: UUID
    name: str
    state: str
    price: Money | None = None
    category_id: UUID | None = None
    brand: str | None = None
    skus: list[SkuPrice] = Field(default_factory=list)
    updated_at: datetime


@event("flywheel.catalog.product.price_changed.v1", topic=PRODUCT, key="product_id")
class PriceChanged(EventData):
    """A SKU's price changed (by hand, or a scheduled change started or ended); it applies
    from `effective_at`. Published when it takes effect, never ahead."""

    product_id: UUID
    sku_id: UUID
    old_price: Money = Field(description="What it sold for before")
    new_price: Money = Field(description="What it sells for now: what orders should charge")
    effective_at: datetime
    list_price: Money | None = Field(
        default=None, description="The list price (标价) the new price is shown against"
    )


@event("flywheel.catalog.product.listed.v1", topic=PRODUCT, key="product_id")
class ProductListed(EventData):
    """A product passed its review (or came back after a delisting): it is on sale."""

    product_id: UUID
    listed_at: datetime
    skus: list[SkuPrice] = Field(default_factory=list)
    approved_by: UUID | None = Field(description="The reviewer; None when it was relisted")


@event("flywheel.catalog.product.delisted.v1", topic=PRODUCT, key="product_id")
class ProductDelisted(EventData):
    """A product was taken off sale: its SKUs can no longer be ordered or reserved."""

    product_id: UUID
    delisted_at: datetime


class StockLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sku_id: UUID
    quantity: int = Field(gt=0)


class RejectedLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sku_id: UUID
    requested: int = Field(gt=0)
    available: int = Field(ge=0, description="0 also for an unknown or delisted SKU")


SKU = "flywheel.catalog.sku"


@event("flywheel.catalog.sku.stock_ran_low.v1", topic=SKU, key="sku_id")
class StockLow(EventData):
    """A SKU's available stock fell to its low-stock threshold or below (still above 0)."""

    sku_id: UUID
    product_id: UUID
    available: int = Field(ge=0)
    threshold: int = Field(ge=0)
    at: datetime


@event("flywheel.catalog.sku.sold_out.v1", topic=SKU, key="sku_id")
class StockOut(EventData):
    """A SKU has nothing left to sell (what is on hand is all reserved, or none is)."""

    sku_id: UUID
    product_id: UUID
    at: datetime


@event("flywheel.catalog.sku.restocked.v1", topic=SKU, key="sku_id")
class StockRestocked(EventData):
    """A SKU that was low or out has more available than its threshold again."""

    sku_id: UUID
    product_id: UUID
    available: int = Field(gt=0)
    threshold: int = Field(ge=0)
    at: datetime


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


@event("flywheel.catalog.search.missed.v1", topic="flywheel.catalog.search", key="normalized")
class SearchMissed(EventData):
    """A storefront search found nothing: a demand signal (what people want and cannot find)."""

    query: str = Field(description="As typed")
    normalized: str = Field(description="Simplified, lower case: what misses are grouped by")
    tokens: list[str] = Field(description="The words it was segmented into")
    category_id: UUID | None = Field(default=None, description="The category searched in")
    at: datetime


class ReceivedLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sku_id: UUID
    quantity: int = Field(ge=0, description="Good units, added to stock")
    defective: int = Field(ge=0, description="Units refused as defective")


@event(
    "flywheel.catalog.purchase_order.received.v1",
    topic="flywheel.catalog.purchase_order",
    key="purchase_order_id",
)
class PurchaseOrderReceived(EventData):
    """A delivery arrived against a purchase order: its good units are in stock. `complete`:
    nothing more is expected on this order; `on_time`: it arrived by the expected date."""

    purchase_order_id: UUID
    supplier_id: UUID
    receipt_id: UUID
    lines: list[ReceivedLine] = Field(min_length=1)
    complete: bool
    on_time: bool
    received_at: datetime


@event("flywheel.catalog.sku.featured_changed.v1", topic=SKU, key="sku_id")
class FeaturedChanged(EventData):
    """An operator featured a SKU (a hot item storefronts should show) or stopped featuring
    it; published once per change, not for a repeat."""

    sku_id: UUID
    product_id: UUID
    featured: bool
    by: UUID
    at: datetime


class ProposalState(StrEnum):
    """Where a C2M proposal to a supplier stands (反向定制)."""

    PROPOSED = "proposed"  # sent to the supplier
    ACCEPTED = "accepted"  # the supplier will make it
    SAMPLED = "sampled"  # a sample came and passed
    LAUNCHED = "launched"  # on sale
    DECLINED = "declined"  # given up, by either side, with the reason


PROPOSAL = "flywheel.catalog.proposal"


@event("flywheel.catalog.proposal.created.v1", topic=PROPOSAL, key="proposal_id")
class ProposalCreated(EventData):
    """An operator turned a demand cluster (what customers ask for and cannot find) into a
    proposal to a supplier, with the figures of the cluster at that moment."""

    proposal_id: UUID
    cluster_id: UUID
    supplier_id: UUID
    category_id: UUID | None
    attributes: dict[str, str] = Field(description="What the demand asks for, e.g. 颜色: 绿")
    keywords: list[str] = Field(description="The words of searches that found nothing")
    volume: int = Field(description="Demand signals of the cluster in the last 30 days")
    trend: str = Field(description="new, rising, steady, falling or quiet")
    note: str | None
    by: UUID
    at: datetime


@event("flywheel.catalog.proposal.moved.v1", topic=PROPOSAL, key="proposal_id")
class ProposalMoved(EventData):
    """A proposal went one step along proposed → accepted → sampled → launched, or was
    declined; once per step. `product_id`: the product it launched as."""

    proposal_id: UUID
    supplier_id: UUID
    from_state: ProposalState
    to_state: ProposalState
    note: str | None
    product_id: UUID | None = None
    by: UUID
    at: datetime


@event("flywheel.catalog.sku.listing_changed.v1", topic=SKU, key="sku_id")
class SkuListingChanged(EventData):
    """An operator took one SKU off sale (or put it back) while its product stays listed:
    orders and campaigns stop (or resume) selling that SKU. Once per change."""

    sku_id: UUID
    product_id: UUID
    listed: bool
    by: UUID
    at: datetime


FLASH_STOCK = "flywheel.catalog.flash_stock"


@event("flywheel.catalog.flash_stock.held.v1", topic=FLASH_STOCK, key="session_id")
class FlashStockHeld(EventData):
    """`quantity` units of a SKU are set aside for a flash session (no longer available to
    other orders); the session's orders draw from them. Once per (session, SKU)."""

    session_id: UUID
    sku_id: UUID
    quantity: int = Field(gt=0)
    at: datetime


@event("flywheel.catalog.flash_stock.refused.v1", topic=FLASH_STOCK, key="session_id")
class FlashStockRefused(EventData):
    """A flash session's SKU could not be held: nothing was set aside. `available`: what
    was available then (0 also for an unknown or delisted SKU). Once per (session, SKU)."""

    session_id: UUID
    sku_id: UUID
    requested: int = Field(gt=0)
    available: int = Field(ge=0)
    at: datetime


@event("flywheel.catalog.flash_stock.returned.v1", topic=FLASH_STOCK, key="session_id")
class FlashStockReturned(EventData):
    """A flash session ended: of the `held` units, `sold` went to its orders (reserved or
    confirmed then) and `returned` (held - sold) went back to available stock. Once."""

    session_id: UUID
    sku_id: UUID
    held: int = Field(gt=0)
    sold: int = Field(ge=0)
    returned: int = Field(ge=0)
    at: datetime
