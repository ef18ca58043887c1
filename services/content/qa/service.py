"""Operations of Q&A: asking, answering, choosing the best answer, deleting one's own."""

from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth.principal import Principal
from chassis.http.problems import Conflict, InvalidInput, NotFound
from chassis.pagination import PageRequest, fetch_page
from services.content.moderation import words
from services.content.moderation.screening import first_block, screen
from services.content.posts.models import LinkedProduct
from services.content.qa.models import Answer, Question


async def ask(session: AsyncSession, product_id: UUID, text: str, by: Principal) -> Question:
    if await session.get(LinkedProduct, product_id) is None:
        raise InvalidInput("body.product_id", f"{product_id} is not a known product")
    await _screen(session, text)
    question = Question(product_id=product_id, asker=by.user_id, text=text)
    session.add(question)
    await session.commit()
    return question


async def answer(session: AsyncSession, question_id: UUID, text: str, by: Principal) -> Answer:
    await _question(session, question_id)
    await _screen(session, text)
    reply = Answer(question_id=question_id, author=by.user_id, by_staff=by.is_staff, text=text)
    session.add(reply)
    await session.commit()
    return reply


async def choose_best(
    session: AsyncSession, question_id: UUID, answer_id: UUID, by: Principal
) -> Question:
    """The asker picks one answer of their question, once."""
    question = await _question(session, question_id)
    if question.asker != by.user_id:
        raise NotFound(f"No question {question_id} of yours.")
    reply = await session.get(Answer, answer_id)
    if reply is None or reply.question_id != question_id:
        raise InvalidInput("body.answer_id", "is not an answer to this question")
    chosen = await session.execute(
        update(Question)
        .where(Question.id == question_id, Question.best_answer_id.is_(None))
        .values(best_answer_id=answer_id)
    )
    if chosen.rowcount != 1:
        raise Conflict("The best answer has been chosen already.")
    await session.commit()
    await session.refresh(question)
    return question


async def delete_answer(session: AsyncSession, answer_id: UUID, by: Principal) -> None:
    """One's own answer, unless it was chosen as the best (the question would lose it)."""
    reply = await session.get(Answer, answer_id)
    if reply is None or reply.author != by.user_id:
        raise NotFound(f"No answer {answer_id}.")
    question = await session.get(Question, reply.question_id)
    if question.best_answer_id == answer_id:
        raise Conflict("The asker chose this answer as the best; it stays.")
    await session.execute(delete(Answer).where(Answer.id == answer_id))
    await session.commit()


async def with_answers(session: AsyncSession, question_id: UUID) -> tuple[Question, list[Answer]]:
    question = await _question(session, question_id)
    answers = list(
        await session.scalars(
            select(Answer)
            .where(Answer.question_id == question_id)
            .order_by(Answer.created_at, Answer.id)
        )
    )
    # The best answer first, then staff answers, then the rest in order.
    answers.sort(key=lambda a: (a.id != question.best_answer_id, not a.by_staff))
    return question, answers


async def of_product(
    session: AsyncSession, product_id: UUID, page: PageRequest
) -> tuple[list[Question], str | None]:
    statement = select(Question).where(Question.product_id == product_id)
    return await fetch_page(session, statement, key=[Question.created_at, Question.id], page=page)


async def _question(session: AsyncSession, question_id: UUID) -> Question:
    question = await session.get(Question, question_id)
    if question is None:
        raise NotFound(f"No question {question_id}.")
    return question


async def _screen(session: AsyncSession, text: str) -> None:
    if blocked := first_block(screen(await words.current(session), [("text", text)])):
        raise InvalidInput("body.text", f"contains the banned word {blocked.match.term!r}")
