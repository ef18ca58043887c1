"""Request and response bodies of posts: one draft shape per kind, told apart by `kind`."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from chassis.http.fields import Timestamp, Trimmed, WebUrl
from contracts.content import PostKind
from services.content.moderation.filter import Severity
from services.content.posts.live import LiveState
from services.content.posts.models import Scenario
from services.content.posts.workflow import PostState

MAX_IMAGES = 9
MAX_MARKDOWN = 100_000
MAX_CAPTION = 2_000

Title = Trimmed(200)
Label = Trimmed(32)
Markdown = Trimmed(MAX_MARKDOWN)
Caption = Trimmed(MAX_CAPTION, min_length=0)
Reason = Trimmed(500)


MediaUrl = WebUrl


class _Draft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    product_ids: list[UUID] = Field(default_factory=list, max_length=50)
    sku_ids: list[UUID] = Field(default_factory=list, max_length=50)
    tags: list[Label] = Field(
        default_factory=list, max_length=10, description="Scenario tags: 搭配, 布置, 教程, 测评…"
    )
    topics: list[Label] = Field(default_factory=list, max_length=5)


class ArticleDraft(_Draft):
    kind: Literal[PostKind.ARTICLE]
    body: Markdown = Field(description="Markdown; rendered to sanitized HTML as `body_html`")


class Image(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: MediaUrl
    caption: Caption = ""


class ImagePostDraft(_Draft):
    kind: Literal[PostKind.IMAGE]
    body: Caption = ""
    images: list[Image] = Field(min_length=1, max_length=MAX_IMAGES)


class Video(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: MediaUrl
    duration_seconds: int = Field(gt=0, le=600, description="A short video: ten minutes at most")
    cover_url: MediaUrl


class VideoDraft(_Draft):
    kind: Literal[PostKind.VIDEO]
    body: Caption = ""
    video: Video


class LiveDraft(_Draft):
    kind: Literal[PostKind.LIVE]
    body: Caption = ""
    starts_at: Timestamp
    campaign_id: UUID | None = Field(default=None, description="A live-commerce campaign")


class GuideDraft(_Draft):
    kind: Literal[PostKind.GUIDE]
    scenario: Scenario
    body: Markdown


PostDraft = Annotated[
    ArticleDraft | ImagePostDraft | VideoDraft | LiveDraft | GuideDraft,
    Field(discriminator="kind"),
]


class Approval(BaseModel):
    model_config = ConfigDict(extra="forbid")

    publish_at: Timestamp | None = Field(
        default=None, description="Publish at this time instead of now (must be in the future)"
    )
    reason: Reason | None = None


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class Archival(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason | None = None


class LiveEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    replay_url: MediaUrl | None = None


class PostOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    kind: PostKind
    state: PostState
    author: UUID
    title: str
    body: str
    body_html: str | None
    images: list[Image]
    video: Video | None
    scenario: Scenario | None
    live_state: LiveState | None
    starts_at: datetime | None
    replay_url: str | None
    campaign_id: UUID | None
    product_ids: list[UUID]
    sku_ids: list[UUID]
    tags: list[str]
    topics: list[str]
    created_at: datetime
    publish_at: datetime | None
    published_at: datetime | None


class Flag(BaseModel):
    """A banned word found in a post, where and as it was written."""

    field: str
    term: str
    found: str
    severity: Severity


class ReviewedPostOut(PostOut):
    """A post as staff and its author see it: with what moderation noted."""

    flags: list[Flag]
    review_note: str | None
