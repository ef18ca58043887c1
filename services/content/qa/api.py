"""Q&A routes: anyone reads a product's questions; signed-in users ask and answer; the
asker chooses the best answer."""

from uuid import UUID

from fastapi import APIRouter, status

from chassis.auth.deps import PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep
from services.content.qa import service
from services.content.qa.schemas import (
    AnswerIn,
    AnswerOut,
    BestAnswer,
    QuestionIn,
    QuestionOut,
    QuestionWithAnswers,
)

router = APIRouter(tags=["q&a"])


@router.post(
    "/questions",
    status_code=status.HTTP_201_CREATED,
    summary="Ask a question about a product",
    responses=responses(401, 422),
)
async def ask(body: QuestionIn, session: SessionDep, by: PrincipalDep) -> QuestionOut:
    return QuestionOut.model_validate(await service.ask(session, body.product_id, body.text, by))


@router.get(
    "/questions",
    summary="A product's questions, newest first",
    responses=responses(422),
)
async def questions(product_id: UUID, session: SessionDep, page: PageDep) -> Page[QuestionOut]:
    rows, next_cursor = await service.of_product(session, product_id, page)
    return Page(items=[QuestionOut.model_validate(q) for q in rows], next_cursor=next_cursor)


@router.get(
    "/questions/{question_id}",
    summary="A question with its answers: the best first, then staff's, then the rest",
    responses=responses(404, 422),
)
async def question(question_id: UUID, session: SessionDep) -> QuestionWithAnswers:
    asked, answers = await service.with_answers(session, question_id)
    return QuestionWithAnswers.model_validate(
        {
            **QuestionOut.model_validate(asked).model_dump(),
            "answers": [AnswerOut.model_validate(a) for a in answers],
        }
    )


@router.post(
    "/questions/{question_id}/answers",
    status_code=status.HTTP_201_CREATED,
    summary="Answer a question (staff answers are marked as such)",
    responses=responses(401, 404, 422),
)
async def answer(
    question_id: UUID, body: AnswerIn, session: SessionDep, by: PrincipalDep
) -> AnswerOut:
    return AnswerOut.model_validate(await service.answer(session, question_id, body.text, by))


@router.post(
    "/questions/{question_id}/best-answer",
    summary="Choose the best answer to one's own question (once)",
    responses=responses(401, 404, 409, 422),
)
async def choose_best(
    question_id: UUID, body: BestAnswer, session: SessionDep, by: PrincipalDep
) -> QuestionOut:
    chosen = await service.choose_best(session, question_id, body.answer_id, by)
    return QuestionOut.model_validate(chosen)


@router.delete(
    "/answers/{answer_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete one's own answer (not once chosen as the best)",
    responses=responses(401, 404, 409, 422),
)
async def delete_answer(answer_id: UUID, session: SessionDep, by: PrincipalDep) -> None:
    await service.delete_answer(session, answer_id, by)
