"""Request and response models of the gateway's own API (partners and their keys)."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from chassis.http.fields import JsonInt


class PartnerCreate(BaseModel):
    name: str = Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$")
    scopes: list[str] = Field(
        min_length=1,
        max_length=50,
        description="Route prefixes the partner's keys may call, each optionally preceded by "
        "one method: `/api/v1/catalog` or `GET /api/v1/orders`.",
        examples=[["GET /api/v1/catalog/products", "/api/v1/orders"]],
    )


class KeyRotation(BaseModel):
    grace_seconds: JsonInt = Field(
        default=86_400,
        ge=0,
        le=30 * 86_400,
        description="How long the partner's other keys keep working (0: they stop at once).",
    )


class KeyOut(BaseModel):
    id: UUID
    prefix: str = Field(description="The first characters of the key, to tell keys apart.")
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    active: bool


class IssuedKey(KeyOut):
    secret: str = Field(description="The API key. Shown this once; only its hash is stored.")


class PartnerOut(BaseModel):
    id: UUID
    name: str
    scopes: list[str]
    created_by: UUID
    created_at: datetime
    revoked_at: datetime | None
    keys: list[KeyOut]


class PartnerIssued(PartnerOut):
    key: IssuedKey


class PartnerPage(BaseModel):
    items: list[PartnerOut]
    next_cursor: str | None
