"""Response bodies of signing keys."""

from pydantic import BaseModel


class RotatedKey(BaseModel):
    kid: str
