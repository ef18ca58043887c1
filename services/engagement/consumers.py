"""Events the engagement service consumes."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.users import PasswordResetRequested, UserErased, UserRegistered
from services.engagement import emails, inbox, privacy, templates


@consumes(UserRegistered)
async def on_user_registered(event: UserRegistered, session: AsyncSession) -> None:
    """Greet every new user in their inbox and by email: the first step of the welcome series."""
    welcome = templates.welcome(event.display_name)
    await inbox.deliver(session, event.user_id, welcome)
    await emails.stage(session, event.user_id, event.email, welcome)


@consumes(PasswordResetRequested)
async def on_password_reset_requested(event: PasswordResetRequested, session: AsyncSession) -> None:
    """Mail the reset token (by email only: never in the in-app inbox, which a stolen session
    could read)."""
    await emails.stage(
        session, event.user_id, event.email, templates.password_reset(event.token, event.expires_at)
    )


@consumes(UserErased)
async def on_user_erased(event: UserErased, session: AsyncSession) -> None:
    """Scrub what engagement keeps about the user, and reach them no more."""
    await privacy.erase(session, event.user_id, event.erased_at)
