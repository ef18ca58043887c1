"""Tables of insights: the SKUs operators feature (at most one row per SKU: its key), and the
rollups of the signals other services send: product views a day, SKU ratings; and operators'
decisions on categories' health reports."""

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from contracts.catalog import CategoryRole
from services.catalog.models import Base


class FeaturedSku(Base):
    __tablename__ = "featured_skus"

    sku_id: Mapped[UUID] = mapped_column(ForeignKey("skus.id"), primary_key=True)
    featured_by: Mapped[UUID] = mapped_column(Uuid)
    featured_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    note: Mapped[str | None] = mapped_column(String(500))


class ProductViews(Base):
    """Storefront views of a product in one UTC day (analytics' product views, bots left
    out), added up as they are consumed."""

    __tablename__ = "product_views_daily"

    product_id: Mapped[UUID] = mapped_column(ForeignKey("products.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    views: Mapped[int] = mapped_column(Integer, default=0)


class SkuRatings(Base):
    """The reviews of a SKU (content's review.posted): how many, and their stars summed."""

    __tablename__ = "sku_ratings"

    sku_id: Mapped[UUID] = mapped_column(ForeignKey("skus.id"), primary_key=True)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    stars: Mapped[int] = mapped_column(Integer, default=0)


class CategoryRoleReview(Base):
    """An operator's decision on a category's health report: the suggestion accepted, or
    overridden with a reason (the role kept or another), with the figures it was made on."""

    __tablename__ = "category_role_reviews"
    __table_args__ = (Index("ix_category_role_reviews_category", "category_id", "decided_at"),)

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    category_id: Mapped[UUID] = mapped_column(ForeignKey("categories.id"))
    role_before: Mapped[CategoryRole] = mapped_column(enum_column(CategoryRole))
    suggested: Mapped[CategoryRole | None] = mapped_column(enum_column(CategoryRole))
    suggestion_reason: Mapped[str | None] = mapped_column(String(500))
    role: Mapped[CategoryRole] = mapped_column(enum_column(CategoryRole))  # as decided
    accepted: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(String(500))  # an override's
    figures: Mapped[dict] = mapped_column(JSON)
    decided_by: Mapped[UUID] = mapped_column(Uuid)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
