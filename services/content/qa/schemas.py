"""Request and response bodies of Q&A."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from chassis.http.fields import Trimmed

Text = Trimmed(2_000)


class QuestionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: UUID
    text: Text


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text


class BestAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer_id: UUID


class AnswerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    question_id: UUID
    author: UUID
    by_staff: bool
    text: str
    created_at: datetime


class QuestionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    product_id: UUID
    asker: UUID
    text: str
    best_answer_id: UUID | None
    created_at: datetime


class QuestionWithAnswers(QuestionOut):
    answers: list[AnswerOut]
