"""Request and response models of interest tags."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.users.tags.models import TagOrigin
from services.users.tags.rules import Source


class TagOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    tag: str
    origin: TagOrigin
    score: int | None = None  # system tags: the weight of their evidence
    set_by: UUID | None = None  # manual tags: the operator
    set_at: datetime


class EvidenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    tag: str
    source: Source
    count: int
    first_seen_at: datetime
    last_seen_at: datetime


class TagChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    tag: str
    added: bool
    by: UUID
    at: datetime


class UserTagsOut(BaseModel):
    user_id: UUID
    tags: list[TagOut]
    evidence: list[EvidenceOut]
    changes: list[TagChangeOut]  # the audit of manual tags, oldest first
    next_drop_at: datetime | None = Field(
        default=None,
        description="When ageing evidence next lowers a system tag's score or takes the tag "
        "away, new touches aside (the timer the scheduler fires); null: no system tag to lose",
    )
