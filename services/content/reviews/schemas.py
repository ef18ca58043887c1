"""Request and response bodies of reviews."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from chassis.http.fields import Trimmed, WebUrl
from services.content.posts.schemas import Flag

MAX_IMAGES = 9
Text = Trimmed(5_000)


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku_id: UUID
    rating: int = Field(ge=1, le=5)
    text: Text
    images: list[WebUrl] = Field(default_factory=list, max_length=MAX_IMAGES)


class ReviewEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: int = Field(ge=1, le=5)
    text: Text
    images: list[WebUrl] = Field(default_factory=list, max_length=MAX_IMAGES)


class ReviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    sku_id: UUID
    author: UUID
    rating: int
    text: str
    images: list[str]
    verified: bool = Field(description="The author had paid for the SKU; unverified ones show too")
    created_at: datetime
    updated_at: datetime


class OwnReviewOut(ReviewOut):
    flags: list[Flag]


class RatingSummary(BaseModel):
    """A SKU's ratings: all of them, and the verified purchases' apart."""

    sku_id: UUID
    count: int
    average: float | None
    verified_count: int
    verified_average: float | None
    distribution: dict[int, int] = Field(description="How many reviews gave each rating, 1 to 5")
