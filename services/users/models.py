"""Tables of the users database."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime
from chassis.ids import new_id


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(100))
    roles: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["customer"])
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class RefreshToken(Base):
    """A refresh token, stored as a hash. Tokens of one login form a family: using a token
    replaces it, and presenting a replaced token again revokes the whole family."""

    __tablename__ = "refresh_tokens"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SigningKey(Base):
    """An RSA key that signs access tokens; the newest signs, the others still verify."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    private_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OrderStats(Base):
    """Read model built from order events: the F and M of RFM."""

    __tablename__ = "order_stats"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    order_count: Mapped[int] = mapped_column(Integer, default=0)
    total_spent: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    last_order_at: Mapped[datetime] = mapped_column(UtcDateTime)
