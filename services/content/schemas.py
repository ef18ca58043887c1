"""Request and response bodies of the content API."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.content.workflow import ArticleState

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100_000)]


class ArticleDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    body: Body
    product_ids: list[UUID] = Field(
        default_factory=list, max_length=50, description="Catalog products the article is about"
    )


class ArticleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    title: str
    body: str
    state: ArticleState
    product_ids: list[UUID]
    author: UUID
    created_at: datetime
    published_at: datetime | None
