"""Response bodies of feeds."""

from pydantic import BaseModel, Field

from services.content.posts.schemas import PostOut


class ReasonOut(BaseModel):
    code: str = Field(description="because_you_like, new_in_your_topic, popular_in, popular or new")
    label: str | None = Field(description="The tag or topic the reason is about")


class FeedItem(BaseModel):
    post: PostOut
    reason: ReasonOut
    score: float


class FeedPage(BaseModel):
    items: list[FeedItem]
    next_cursor: str | None


class LiveFeed(BaseModel):
    live_now: list[PostOut]
    upcoming: list[PostOut]
