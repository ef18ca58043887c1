"""Operations on accounts: registration, credentials, password change, roles, the seeded
admin."""

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Role
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput, NotFound
from contracts.users import UserRegistered
from services.users.accounts.models import RoleChange, User
from services.users.accounts.passwords import hash_password, needs_rehash, verify_password
from services.users.accounts.strength import weakness


def normalise(email: str) -> str:
    return email.strip().lower()


def check_strength(field: str, password: str, email: str) -> None:
    if reason := weakness(password, email):
        raise InvalidInput(field, f"The password {reason}.")


async def register(
    session: AsyncSession, email: str, password: str, display_name: str | None
) -> User:
    email = normalise(email)
    check_strength("body.password", password, email)
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
    if not await verify_password(user.password_hash if user else None, password):
        return None
    if needs_rehash(user.password_hash):  # the cost was raised since it was hashed
        user.password_hash = await hash_password(password)
        await session.commit()
    return user


async def get(session: AsyncSession, user_id: UUID, *, for_update: bool = False) -> User:
    user = await session.get(User, user_id, with_for_update=for_update)
    if user is None:
        raise NotFound("No such user.")
    return user


async def set_password(user: User, old_password: str, new_password: str) -> None:
    """Replace the password, the old one already checked by the caller."""
    if new_password == old_password:
        raise InvalidInput("body.new_password", "The new password must differ from the old.")
    check_strength("body.new_password", new_password, user.email)
    user.password_hash = await hash_password(new_password)


async def replace_password(user: User, new_password: str) -> None:
    """Replace the password without the old one (a reset: the caller checked the token and
    the strength)."""
    user.password_hash = await hash_password(new_password)


async def grant_role(session: AsyncSession, user_id: UUID, role: Role, by: UUID) -> User:
    user = await get(session, user_id, for_update=True)
    if role.value not in user.roles:
        user.roles = sorted({*user.roles, role.value})
        session.add(RoleChange(user_id=user.id, role=role.value, action="granted", by_user_id=by))
        await session.commit()
    return user


async def revoke_role(session: AsyncSession, user_id: UUID, role: Role, by: UUID) -> User:
    user = await get(session, user_id, for_update=True)
    if role is Role.ADMIN and user_id == by:
        raise Conflict("An admin cannot revoke their own admin role.")
    if role.value in user.roles:
        user.roles = [r for r in user.roles if r != role.value]
        session.add(RoleChange(user_id=user.id, role=role.value, action="revoked", by_user_id=by))
        await session.commit()
    return user


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
