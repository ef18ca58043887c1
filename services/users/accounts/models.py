"""Tables of accounts."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime
from chassis.ids import new_id
from services.users.models import Base


class User(Base):
    __tablename__ = "users"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(100))
    roles: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["customer"])
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    # The last sign-in with the password (refreshing a token is not one): segments read it.
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # anonymized on request


class RoleChange(Base):
    """The audit of roles granted and revoked by admins: who, to whom, what, when."""

    __tablename__ = "role_changes"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(16))  # "granted" or "revoked"
    by_user_id: Mapped[UUID] = mapped_column(Uuid)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
