"""Tables of accounts."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, String, Uuid
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
