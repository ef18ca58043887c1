"""Request and response bodies of moderation."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from chassis.http.fields import Trimmed
from contracts.content import ModerationDecision as Decision
from services.content.moderation.filter import Severity
from services.content.posts.schemas import Reason, ReviewedPostOut

Term = Trimmed(100)


class BannedWordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    term: Term
    severity: Severity


class BannedWordOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    term: str
    severity: Severity
    added_by: UUID
    created_at: datetime


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class ReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    post_id: UUID
    reason: str
    created_at: datetime


class Dismissal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class QueueItem(BaseModel):
    """A post waiting for a moderator: in review, or published and reported by users."""

    post: ReviewedPostOut
    open_reports: int
    report_reasons: list[str]


class DecisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    post_id: UUID
    moderator: UUID
    decision: Decision
    reason: str | None
    created_at: datetime
