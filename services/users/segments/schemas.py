"""Request and response bodies of segments."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, Strict

from chassis.http.fields import Trimmed


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: dict[str, Any] = Field(
        description="The rule tree: all / any / not over conditions {field, op, value}"
    )
    sample_size: Annotated[int, Strict(), Field(ge=0, le=50)] = 10


class SegmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Trimmed(100)
    rule: dict[str, Any] = Field(description="The rule tree, as for a preview")


class SegmentEdit(SegmentIn):
    expected_version: Annotated[
        int,
        Strict(),
        Field(ge=1, description="The version the edit replaces (as read): 409 if stale"),
    ]


class SegmentOut(BaseModel):
    id: UUID
    name: str
    rule: dict[str, Any]
    fields: list[str] = Field(description="The fields the rule reads")
    created_at: datetime
    created_by: UUID
    version: int = Field(description="1 when created, one more at each edit")
    updated_at: datetime | None
    updated_by: UUID | None
    members: int = Field(description="Users in the segment now")


class MemberOut(BaseModel):
    user_id: UUID
    entered_at: datetime


class SampleUser(BaseModel):
    id: UUID
    email: str


class PreviewOut(BaseModel):
    count: int = Field(description="Users the rule selects now")
    sample: list[SampleUser] = Field(description="Some of them, newest first")
    fields: list[str] = Field(description="The fields the rule reads")


class WhyOut(BaseModel):
    segment_id: UUID
    user_id: UUID
    member: bool = Field(description="In the segment now (materialized)")
    explanation: dict[str, Any] = Field(
        description="The rule with each node's result and, for each condition, the value seen"
    )
