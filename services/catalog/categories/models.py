"""Tables of the category tree."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from contracts.catalog import CategoryRole
from services.catalog.models import Base


class Category(Base):
    __tablename__ = "categories"
    __table_args__ = (Index("ix_categories_path", "path"),)

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    parent_id: Mapped[UUID | None] = mapped_column(ForeignKey("categories.id"))
    # The ids of the ancestors and itself, `/root/.../self/`: a subtree is a prefix match.
    path: Mapped[str] = mapped_column(String(240))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[CategoryRole] = mapped_column(enum_column(CategoryRole))
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now, onupdate=now)

    @property
    def archived(self) -> bool:
        return self.archived_at is not None
