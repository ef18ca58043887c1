"""Request and response bodies of the category routes."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from chassis.http.fields import Trimmed
from contracts.catalog import CategoryRole

CategoryName = Trimmed(100)


class CategoryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: CategoryName
    parent_id: UUID | None = None
    role: CategoryRole


class CategoryChange(BaseModel):
    """Rename, or give another role; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: CategoryName | None = None
    role: CategoryRole | None = None


class CategoryMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parent_id: UUID | None  # None: make it a root


class CategoryOut(BaseModel):
    id: UUID
    parent_id: UUID | None
    name: str
    role: CategoryRole
    role_label: str  # the role as operators say it: 核心, 优势, 潜力, 淘汰
    depth: int
    archived: bool
    created_at: datetime
    updated_at: datetime


class CategoryTree(BaseModel):
    """Every category, parents before their children (a depth-first order of the tree)."""

    items: list[CategoryOut]
