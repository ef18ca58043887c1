"""Tables of the content database."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, String, Text, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from services.content.workflow import ArticleState


class Base(DeclarativeBase):
    pass


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[ArticleState] = mapped_column(
        enum_column(ArticleState), default=ArticleState.DRAFT
    )
    product_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    author: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LinkedProduct(Base):
    """Read model built from catalog events: the products an article may link to."""

    __tablename__ = "linked_products"

    product_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
