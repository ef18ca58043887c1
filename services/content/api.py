"""Content routes: drafting, publishing and reading articles."""

from uuid import UUID

from fastapi import APIRouter, status

from chassis.auth.deps import OperatorDep, OptionalPrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import NotFound, responses
from services.content import articles
from services.content.models import Article
from services.content.schemas import ArticleDraft, ArticleOut
from services.content.workflow import ArticleState

router = APIRouter(prefix="/articles", tags=["articles"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Write a draft article, optionally linking catalog products",
    responses=responses(401, 403, 422),
)
async def create_article(body: ArticleDraft, session: SessionDep, by: OperatorDep) -> ArticleOut:
    return ArticleOut.model_validate(await articles.create_draft(session, body, by.user_id))


@router.post(
    "/{article_id}/publish",
    summary="Publish a draft",
    responses=responses(401, 403, 404, 409, 422),
)
async def publish_article(article_id: UUID, session: SessionDep, _: OperatorDep) -> ArticleOut:
    return ArticleOut.model_validate(await articles.publish(session, article_id))


@router.get(
    "/{article_id}",
    summary="Read an article (drafts only with an operator or admin token)",
    responses=responses(401, 404, 422),
)
async def get_article(
    article_id: UUID, session: SessionDep, reader: OptionalPrincipalDep
) -> ArticleOut:
    article = await session.get(Article, article_id)
    # To anyone but staff a draft does not exist yet, so its id reveals nothing.
    staff = reader is not None and reader.is_staff
    if article is None or (article.state != ArticleState.PUBLISHED and not staff):
        raise NotFound(f"No article {article_id}.")
    return ArticleOut.model_validate(article)
