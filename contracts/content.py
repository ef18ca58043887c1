"""Events the content service publishes: posts, moderation, live sessions, reviews,
interactions and content calls."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from chassis.events import EventData, event

POST = "flywheel.content.post"
LIVE = "flywheel.content.live"


class PostKind(StrEnum):
    ARTICLE = "article"
    IMAGE = "image"
    VIDEO = "video"
    LIVE = "live"
    GUIDE = "guide"


class ModerationDecision(StrEnum):
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    REJECTED = "rejected"
    ARCHIVED = "archived"
    REPORTS_DISMISSED = "reports_dismissed"


@event("flywheel.content.article.published.v1", topic="flywheel.content.article", key="article_id")
class ArticlePublished(EventData):
    """An article went live, linking to catalog products.

    Deprecated: `flywheel.content.post.published.v1` covers articles and every other kind;
    this one is still published beside it for articles during the deprecation window."""

    article_id: UUID
    title: str
    product_ids: list[UUID]
    author: UUID
    published_at: datetime


@event("flywheel.content.post.published.v1", topic=POST, key="post_id")
class PostPublished(EventData):
    """A post went live for storefronts (at once on approval, or at its scheduled time)."""

    post_id: UUID
    kind: PostKind
    title: str
    author: UUID
    product_ids: list[UUID] = Field(default_factory=list)
    sku_ids: list[UUID] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list, description="Scenario tags: 搭配, 布置, 教程…")
    topics: list[str] = Field(default_factory=list)
    published_at: datetime


@event("flywheel.content.post.archived.v1", topic=POST, key="post_id")
class PostArchived(EventData):
    """A post left the storefronts for good (withdrawn, or taken down by a moderator)."""

    post_id: UUID
    reason: str | None = None
    archived_at: datetime


@event("flywheel.content.post.moderated.v1", topic=POST, key="post_id")
class PostModerated(EventData):
    """A moderator decided on a post, with the reason and the banned words it was shown."""

    post_id: UUID
    decision: ModerationDecision
    reason: str | None = None
    moderator: UUID
    flagged_terms: list[str] = Field(default_factory=list)
    decided_at: datetime


@event("flywheel.content.live.started.v1", topic=LIVE, key="post_id")
class LiveSessionStarted(EventData):
    """A live session went on air; its linked SKUs are on sale in it."""

    post_id: UUID
    sku_ids: list[UUID] = Field(default_factory=list)
    campaign_id: UUID | None = None
    started_at: datetime


@event("flywheel.content.live.ended.v1", topic=LIVE, key="post_id")
class LiveSessionEnded(EventData):
    """A live session went off air; `replay_url` is where it can be watched again."""

    post_id: UUID
    replay_url: str | None = None
    ended_at: datetime


REVIEW = "flywheel.content.review"


@event("flywheel.content.review.posted.v1", topic=REVIEW, key="review_id")
class ReviewPosted(EventData):
    """A customer reviewed a SKU. `verified`: the author had paid for it when posting (a
    payment that arrives later verifies the review from then on, as the API shows)."""

    review_id: UUID
    sku_id: UUID
    author: UUID
    rating: int = Field(ge=1, le=5)
    verified: bool
    posted_at: datetime


class InteractionKind(StrEnum):
    VIEW = "view"
    LIKE = "like"
    FAVOURITE = "favourite"
    SHARE = "share"
    COMMENT = "comment"
    CLICK = "click"  # through to a product


@event(
    "flywheel.content.interaction.recorded.v1", topic="flywheel.content.interaction", key="post_id"
)
class InteractionRecorded(EventData):
    """A user interacted with a post: what analytics attributes GMV to the content a buyer
    came from, and what recommendations learn from. `undone`: a like or favourite taken back."""

    post_id: UUID
    user_id: UUID
    kind: InteractionKind
    undone: bool = False
    dwell_ms: int | None = Field(default=None, ge=0, description="Views: time on the post")
    product_id: UUID | None = Field(default=None, description="Clicks: the product clicked")
    sku_id: UUID | None = None
    comment_id: UUID | None = None
    occurred_at: datetime


CALL = "flywheel.content.call"


class RewardKind(StrEnum):
    COUPON = "coupon"
    POINTS = "points"


class Reward(BaseModel):
    """What a winner gets: granted by campaigns (a coupon) or users (points) when they
    consume `call.winner_chosen`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: RewardKind
    coupon_id: UUID | None = Field(default=None, description="Coupons: the coupon to grant")
    points: int | None = Field(default=None, gt=0, description="Points: how many")


@event("flywheel.content.call.entry_submitted.v1", topic=CALL, key="call_id")
class CallEntrySubmitted(EventData):
    """A customer entered a post in a content call (内容征集)."""

    call_id: UUID
    post_id: UUID
    author: UUID
    submitted_at: datetime


@event("flywheel.content.call.winner_chosen.v1", topic=CALL, key="call_id")
class CallWinnerChosen(EventData):
    """An entry won a content call: the reward is for campaigns or users to grant, once per
    (call, post)."""

    call_id: UUID
    post_id: UUID
    author: UUID
    rank: int = Field(ge=1)
    reward: Reward
    chosen_at: datetime
