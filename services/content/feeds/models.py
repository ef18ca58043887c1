"""Tables of the recommender every replica serves: its trained versions, and who trains when."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Float, Integer, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from services.content.models import Base


class RecommenderVersion(Base):
    """One training's result, which every replica loads: the snapshot (None when there was
    nothing to learn from) and the segments' favourites. The latest version is served."""

    __tablename__ = "recommender_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trained_at: Mapped[datetime] = mapped_column(UtcDateTime)
    seconds: Mapped[float] = mapped_column(Float)
    users: Mapped[int] = mapped_column(Integer)
    items: Mapped[int] = mapped_column(Integer)
    interactions: Mapped[int] = mapped_column(BigInteger)
    snapshot: Mapped[bytes | None] = mapped_column(LargeBinary)
    segments: Mapped[dict] = mapped_column(JSON, default=dict)


class TrainingTurn(Base):
    """That a replica took the scheduled training of one period: one per period (the primary
    key), so replicas on the same schedule train once between them."""

    __tablename__ = "recommender_turns"

    period: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime)
