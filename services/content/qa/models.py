"""Tables of Q&A: questions on products and their answers."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Boolean, ForeignKey, Index, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime
from chassis.ids import new_id
from services.content.models import Base


class Question(Base):
    __tablename__ = "questions"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    product_id: Mapped[UUID] = mapped_column(Uuid)
    asker: Mapped[UUID] = mapped_column(Uuid)
    text: Mapped[str] = mapped_column(Text)
    # No foreign key: the answer table points here already, and a cycle of keys would make
    # every insert order matter. The service checks the answer belongs to the question.
    best_answer_id: Mapped[UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)

    __table_args__ = (Index("ix_questions_product_created", "product_id", "created_at", "id"),)


class Answer(Base):
    __tablename__ = "answers"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    question_id: Mapped[UUID] = mapped_column(
        Uuid, ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[UUID] = mapped_column(Uuid)
    by_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
