"""Request and response bodies of segments."""

from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, Strict


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: dict[str, Any] = Field(
        description="The rule tree: all / any / not over conditions {field, op, value}"
    )
    sample_size: Annotated[int, Strict(), Field(ge=0, le=50)] = 10


class SampleUser(BaseModel):
    id: UUID
    email: str


class PreviewOut(BaseModel):
    count: int = Field(description="Users the rule selects now")
    sample: list[SampleUser] = Field(description="Some of them, newest first")
    fields: list[str] = Field(description="The fields the rule reads")
