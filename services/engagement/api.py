"""Engagement routes: the caller's in-app inbox."""

from uuid import UUID

from fastapi import APIRouter
from sqlalchemy import select

from chassis.auth.deps import PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep, fetch_page
from services.engagement import inbox
from services.engagement.models import InboxMessage
from services.engagement.schemas import MessageOut

router = APIRouter(prefix="/inbox", tags=["inbox"])


@router.get("", summary="The caller's messages, newest first", responses=responses(401, 422))
async def list_messages(
    session: SessionDep, reader: PrincipalDep, page: PageDep
) -> Page[MessageOut]:
    messages, next_cursor = await fetch_page(
        session,
        select(InboxMessage).where(InboxMessage.user_id == reader.user_id),
        key=(InboxMessage.created_at, InboxMessage.id),
        page=page,
    )
    return Page(items=[MessageOut.model_validate(m) for m in messages], next_cursor=next_cursor)


@router.post(
    "/{message_id}/read",
    summary="Mark one of the caller's messages read",
    responses=responses(401, 404, 422),
)
async def mark_read(message_id: UUID, session: SessionDep, reader: PrincipalDep) -> MessageOut:
    return MessageOut.model_validate(await inbox.mark_read(session, message_id, reader.user_id))
