"""Tables of the daily jobs."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from services.users.models import Base


class ScheduledRun(Base):
    """When a daily job last ran; moving it is how one replica claims today's run."""

    __tablename__ = "scheduled_runs"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
