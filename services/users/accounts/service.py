"""Operations on accounts: registration, credential checks and the seeded admin."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Role
from chassis.events import outbox
from chassis.http.problems import Conflict
from contracts.users import UserRegistered
from services.users.accounts.models import User
from services.users.accounts.passwords import hash_password, verify_password


def normalise(email: str) -> str:
    return email.strip().lower()


async def register(
    session: AsyncSession, email: str, password: str, display_name: str | None
) -> User:
    email = normalise(email)
    if await session.scalar(select(User.id).where(User.email == email)):
        raise Conflict(f"An account with the email {email} already exists.")
    user = User(
        email=email,
        password_hash=await hash_password(password),
        display_name=display_name,
        roles=[Role.CUSTOMER.value],
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflict(f"An account with the email {email} already exists.") from None
    await outbox.add(
        session,
        UserRegistered(
            user_id=user.id,
            email=user.email,
            display_name=user.display_name,
            registered_at=user.created_at,
        ),
    )
    await session.commit()
    return user


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    user = await session.scalar(select(User).where(User.email == normalise(email)))
    if await verify_password(user.password_hash if user else None, password):
        return user
    return None


async def ensure_admin(session: AsyncSession, email: str, password: str) -> None:
    email = normalise(email)
    if await session.scalar(select(User.id).where(User.email == email)):
        return
    session.add(
        User(
            email=email,
            password_hash=await hash_password(password),
            display_name="Administrator",
            roles=[Role.ADMIN.value, Role.OPERATOR.value],
        )
    )
    await session.commit()
