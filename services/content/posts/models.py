"""Tables of posts: the post, its labels for lookups, the catalog products it may link and
the live-commerce campaigns a live session may link."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import JSON, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from contracts.content import PostKind
from services.content.models import Base
from services.content.posts.live import LiveState
from services.content.posts.workflow import PostState


class Scenario(StrEnum):
    """What a guide shows how to do."""

    OUTFIT = "outfit"
    ROOM = "room"
    TUTORIAL = "tutorial"


class Post(Base):
    __tablename__ = "posts"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    kind: Mapped[PostKind] = mapped_column(enum_column(PostKind))
    state: Mapped[PostState] = mapped_column(enum_column(PostState), default=PostState.DRAFT)
    author: Mapped[UUID] = mapped_column(Uuid, index=True)
    title: Mapped[str] = mapped_column(String(200))
    # Markdown for articles and guides, plain text (a caption) for the others.
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str | None] = mapped_column(Text)
    images: Mapped[list[dict]] = mapped_column(JSON, default=list)
    video: Mapped[dict | None] = mapped_column(JSON)
    scenario: Mapped[Scenario | None] = mapped_column(enum_column(Scenario))
    live_state: Mapped[LiveState | None] = mapped_column(enum_column(LiveState))
    starts_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    replay_url: Mapped[str | None] = mapped_column(String(2000))
    campaign_id: Mapped[UUID | None] = mapped_column(Uuid)
    product_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    sku_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The banned words found when it was submitted, for the moderator.
    flags: Mapped[list[dict]] = mapped_column(JSON, default=list)
    review_note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    publish_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_posts_state_published", "state", "published_at", "id"),
        Index("ix_posts_state_publish_at", "state", "publish_at"),
    )


class LabelKind(StrEnum):
    TAG = "tag"
    TOPIC = "topic"
    PRODUCT = "product"
    SKU = "sku"


class PostLabel(Base):
    """One tag, topic or linked product of a post: what topic feeds and product pages look up
    (the post keeps the same lists for display, written in the same transaction)."""

    __tablename__ = "post_labels"

    post_id: Mapped[UUID] = mapped_column(
        Uuid, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[LabelKind] = mapped_column(enum_column(LabelKind), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)

    __table_args__ = (Index("ix_post_labels_lookup", "kind", "value"),)


class LinkedProduct(Base):
    """Read model built from catalog events: the products a post may link to."""

    __tablename__ = "linked_products"

    product_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class CampaignState(StrEnum):
    SCHEDULED = "scheduled"
    RUNNING = "running"
    ENDED = "ended"
    CANCELLED = "cancelled"


LIVE_COMMERCE = "live_commerce"  # the campaigns' kind a live session may link


class LinkedCampaign(Base):
    """Read model built from campaigns' events: each campaign with its window and state
    (only moving forward: scheduled, running, then ended or cancelled)."""

    __tablename__ = "linked_campaigns"

    campaign_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[CampaignState] = mapped_column(enum_column(CampaignState))
