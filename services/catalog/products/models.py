"""Tables of products and their SKUs."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from chassis.money import Money, money_columns
from services.catalog.models import Base
from services.catalog.products.listing import ListingState, ScheduledMove, ScheduleState


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        # Browse walks listed products in its sort's order and filters as it goes: a page of
        # 20 reads about as many rows as it takes to find 20, not every listed product.
        Index("ix_products_browse_price", "state", "price_amount", "id"),
        Index("ix_products_browse_newest", "state", "listed_at", "id"),
        Index("ix_products_browse_sales", "state", "units_sold", "id"),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    brand: Mapped[str | None] = mapped_column(String(100), index=True)
    category_id: Mapped[UUID | None] = mapped_column(ForeignKey("categories.id"), index=True)
    # The attributes its SKUs vary by and their values: {"颜色": ["红", "蓝"], "容量": [...]}.
    attributes: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    media: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    scenario_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[ListingState] = mapped_column(
        enum_column(ListingState), default=ListingState.DRAFT
    )
    # The lowest price of its SKUs (the "from" price): what browse filters and sorts by.
    price_amount: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    price = money_columns("price_amount", "currency")
    units_sold: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    # The listing review: who submitted (the approver must be someone else), who decided.
    submitted_by: Mapped[UUID | None] = mapped_column(Uuid)
    reviewed_by: Mapped[UUID | None] = mapped_column(Uuid)
    review_note: Mapped[str | None] = mapped_column(String(500))
    listed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)

    skus: Mapped[list["Sku"]] = relationship(
        back_populates="product", order_by="Sku.position", lazy="selectin"
    )


class Sku(Base):
    __tablename__ = "skus"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    product_id: Mapped[UUID] = mapped_column(ForeignKey("products.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # order within the product, as given
    code: Mapped[str] = mapped_column(String(64), unique=True)
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # What it sells for now (pricing keeps it: the sale price, the list price without one,
    # or a scheduled change's while it applies); what orders charge and events carry.
    price_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    price = money_columns("price_amount", "currency")
    cost_amount: Mapped[int | None] = mapped_column(BigInteger)  # in the price's currency
    list_amount: Mapped[int] = mapped_column(BigInteger)  # the list price (标价)
    sale_amount: Mapped[int | None] = mapped_column(BigInteger)  # the sale price, below it
    # Raised by every price change: a change applies only over the version it read.
    price_version: Mapped[int] = mapped_column(Integer, default=0)
    # A SKU delisted by itself while its product stays listed: not sold, not shown.
    listed: Mapped[bool] = mapped_column(default=True)
    weight_grams: Mapped[int | None] = mapped_column(Integer)  # per unit, for freight
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)

    product: Mapped[Product] = relationship(back_populates="skus")

    @property
    def cost(self) -> Money | None:
        return self._money(self.cost_amount)

    @property
    def list_price(self) -> Money:
        return Money(amount=self.list_amount, currency=self.currency)

    @property
    def sale_price(self) -> Money | None:
        return self._money(self.sale_amount)

    def _money(self, amount: int | None) -> Money | None:
        return None if amount is None else Money(amount=amount, currency=self.currency)


class AttributeValue(Base):
    """An attribute value some product declared or some customer asked for in a want (颜色 =
    绿): the catalog's vocabulary, which C2M reads missed searches against. Kept when the
    product changes or the want goes: the value is still a word customers may search for."""

    __tablename__ = "attribute_values"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(50), primary_key=True)


class ListingSchedule(Base):
    """A product to list or delist at a time, which the scheduler carries out on time."""

    __tablename__ = "listing_schedules"
    __table_args__ = (
        Index("ix_listing_schedules_due", "state", "at"),
        Index("ix_listing_schedules_product", "product_id", "at", "id"),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    product_id: Mapped[UUID] = mapped_column(ForeignKey("products.id"))
    move: Mapped[ScheduledMove] = mapped_column(enum_column(ScheduledMove))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[ScheduleState] = mapped_column(
        enum_column(ScheduleState), default=ScheduleState.PENDING
    )
    note: Mapped[str | None] = mapped_column(String(500))  # the operator's, or why skipped
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # done, skipped...
    cancelled_by: Mapped[UUID | None] = mapped_column(Uuid)
