"""Request and response bodies of accounts."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from chassis.http.fields import Trimmed

DisplayName = Trimmed(100)


class Registration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: str = Field(min_length=8, max_length=128)
    display_name: DisplayName | None = None


class UserOut(BaseModel):
    id: UUID
    email: str
    display_name: str | None
    roles: list[str]
    created_at: datetime


class RolesOut(BaseModel):
    id: UUID
    roles: list[str]
