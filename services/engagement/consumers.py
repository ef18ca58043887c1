"""Events the engagement service consumes."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.users import UserRegistered
from services.engagement import emails, inbox, templates


@consumes(UserRegistered)
async def on_user_registered(event: UserRegistered, session: AsyncSession) -> None:
    """Greet every new user in their inbox and by email: the first step of the welcome series."""
    welcome = templates.welcome(event.display_name)
    await inbox.deliver(session, event.user_id, welcome)
    await emails.stage(session, event.user_id, event.email, welcome)
