"""Request bodies of password resets."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, StringConstraints


class ResetRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr


class ResetConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    new_password: Annotated[str, StringConstraints(max_length=200)]
