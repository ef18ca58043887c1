"""Response bodies of feeds."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.content.posts.models import CampaignState
from services.content.posts.schemas import PostOut


class ReasonOut(BaseModel):
    code: str = Field(
        description="because_you_liked (a post), because_you_like (a tag or topic), "
        "new_in_your_topic, popular_in_your_segment, popular_in, popular or new"
    )
    label: str | None = Field(
        description="The tag or topic the reason is about, or the title of the post liked"
    )
    post_id: UUID | None = Field(
        default=None, description="because_you_liked: the reader's post this one is like"
    )


class FeedItem(BaseModel):
    post: PostOut
    reason: ReasonOut
    score: float


class FeedPage(BaseModel):
    items: list[FeedItem]
    next_cursor: str | None


class LinkedCampaignOut(BaseModel):
    """A live-commerce campaign a listed session links, as the campaigns service announced
    it: `state` scheduled, running, ended or cancelled."""

    model_config = ConfigDict(from_attributes=True)

    campaign_id: UUID
    name: str
    state: CampaignState
    starts_at: datetime
    ends_at: datetime


class LiveFeed(BaseModel):
    live_now: list[PostOut]
    upcoming: list[PostOut]
    campaigns: list[LinkedCampaignOut] = Field(
        default_factory=list, description="The campaigns the sessions listed link"
    )


class RecommenderOut(BaseModel):
    """The recommender version this replica serves: what its training learned from."""

    trained: bool
    version: int | None = Field(
        default=None, description="The stored version served: every replica loads the latest"
    )
    trained_at: datetime | None = None
    seconds: float | None = Field(default=None, description="How long the last training took")
    users: int = 0
    items: int = 0
    interactions: int = Field(default=0, description="User x post cells it learned from")
