"""Request and response bodies of interactions and comments."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    computed_field,
    model_validator,
)

from chassis.http.fields import JsonInt, Trimmed
from services.content.interactions.models import CommentState
from services.content.posts import rendering
from services.content.posts.schemas import Flag, Reason

CommentText = Trimmed(2_000)


class View(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["view"]
    dwell_ms: JsonInt = Field(default=0, ge=0, le=86_400_000, description="Time on the post")


class Reacted(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["like", "favourite", "share"]


class Click(BaseModel):
    """A click-through from the post to a product it links."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["click"]
    product_id: UUID | None = None
    sku_id: UUID | None = None

    @model_validator(mode="after")
    def _names_a_target(self) -> "Click":
        if self.product_id is None and self.sku_id is None:
            raise ValueError("a click names the product_id or the sku_id it went to")
        return self


InteractionIn = Annotated[View | Reacted | Click, Field(discriminator="kind")]


class Recorded(BaseModel):
    recorded: bool = Field(description="False when it changed nothing (a second like)")


class StatsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    post_id: UUID
    views: int
    likes: int
    favourites: int
    shares: int
    comments: int
    clicks: int
    liked: bool | None = Field(default=None, description="Whether the caller likes it")
    favourited: bool | None = None


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: CommentText
    parent_id: UUID | None = Field(default=None, description="The comment this replies to")


class CommentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    post_id: UUID
    parent_id: UUID | None
    author: UUID
    text: str = Field(description="Plain text, as written")
    state: CommentState
    created_at: datetime

    @computed_field(description="The text as inert HTML: escaped, line breaks as <br>")
    @property
    def html(self) -> str:
        return rendering.plain(self.text)


class HeldCommentOut(CommentOut):
    flags: list[Flag]


class CommentRemoval(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason
