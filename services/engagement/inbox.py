"""The in-app inbox: delivering messages into it, and marking them read."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import NotFound
from contracts.engagement import MessageSent
from services.engagement import privacy
from services.engagement.models import InboxMessage
from services.engagement.templates import Rendered

CHANNEL = "in_app"


async def deliver(session: AsyncSession, user_id: UUID, message: Rendered) -> InboxMessage | None:
    """Put a message in the user's inbox and stage MessageSent; the caller commits both.
    Nothing for an erased user (None)."""
    if await privacy.is_erased(session, user_id):
        return None
    delivered = InboxMessage(
        user_id=user_id, template=message.template, title=message.title, body=message.body
    )
    session.add(delivered)
    await session.flush()
    await outbox.add(
        session,
        MessageSent(
            message_id=delivered.id,
            user_id=user_id,
            channel=CHANNEL,
            template=delivered.template,
            sent_at=delivered.created_at,
        ),
    )
    return delivered


async def mark_read(session: AsyncSession, message_id: UUID, user_id: UUID) -> InboxMessage:
    message = await session.get(InboxMessage, message_id)
    # Someone else's message is "not found": ids reveal nothing about other inboxes.
    if message is None or message.user_id != user_id:
        raise NotFound(f"No message {message_id} in your inbox.")
    if message.read_at is None:  # reading again keeps the first time it was read
        message.read_at = now()
        await session.commit()
    return message
