"""Operations on profiles: the caller's profile, its changes with their events, search."""

from uuid import UUID

from sqlalchemy import String, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Role
from chassis.clock import now
from chassis.db import insert_for
from chassis.events import outbox
from chassis.http.problems import InvalidInput
from chassis.pagination import PageRequest, fetch_page
from contracts.users import ConsentChanged, LifecycleStage, ProfileUpdated, Tier
from services.users.accounts import service as accounts
from services.users.accounts.models import User
from services.users.birthdays import dates
from services.users.birthdays import service as birthdays
from services.users.lifecycle import service as lifecycle
from services.users.membership import service as membership
from services.users.metrics import service as metrics
from services.users.profiles.models import Consent, Profile
from services.users.profiles.schemas import Birthday, ConsentOut, MeOut, ProfilePatch
from services.users.segments import service as segments
from services.users.tags import service as tags

PROFILE_FIELDS = ("gender", "birth_year", "birth_month", "birth_day", "city", "time_zone", "locale")
# Columns a field of the API is kept in, where it is not one column of its own name.
_FIELD_OF = {"birth_month": "birthday", "birth_day": "birthday"}


async def view(session: AsyncSession, user_id: UUID) -> MeOut:
    user = await accounts.get(session, user_id)
    profile = await session.get(Profile, user_id)
    consents = await session.scalars(select(Consent).where(Consent.user_id == user_id))
    return MeOut(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        roles=user.roles,
        created_at=user.created_at,
        **{field: getattr(profile, field) for field in PROFILE_FIELDS if profile is not None},
        birthday=_birthday(profile),
        consent=ConsentOut(**{c.channel.value: c.granted for c in consents}),
        orders=await metrics.order_summary(session, user_id),
    )


def _birthday(profile: Profile | None) -> Birthday | None:
    if profile is None or profile.birth_month is None or profile.birth_day is None:
        return None
    return Birthday(month=profile.birth_month, day=profile.birth_day)


def _check_birthday(profile: Profile, patch: ProfilePatch) -> None:
    """A 29 February birthday needs a leap birth year, whichever of the two was sent."""
    month, day, year = profile.birth_month, profile.birth_day, profile.birth_year
    if month is None or day is None or dates.possible(month, day, year):
        return
    field = "body.birthday" if "birthday" in patch.model_fields_set else "body.birth_year"
    raise InvalidInput(field, f"{year} has no {month}-{day}: it is no leap year")


async def time_zone(session: AsyncSession, user_id: UUID) -> str | None:
    return await session.scalar(select(Profile.time_zone).where(Profile.user_id == user_id))


async def update(session: AsyncSession, user_id: UUID, patch: ProfilePatch) -> None:
    """Apply the fields sent; publish `ProfileUpdated` if any changed and `ConsentChanged`
    for each channel whose consent changed, in the same transaction."""
    user = await accounts.get(session, user_id, for_update=True)
    at = now()
    # Created on first change, by a statement that two concurrent first changes both pass.
    await session.execute(
        insert_for(session, Profile.__table__)
        .values(user_id=user_id, updated_at=at)
        .on_conflict_do_nothing()
    )
    profile = await session.get(Profile, user_id, with_for_update=True)
    changed = []
    for column, value in patch.profile_changes().items():
        target = user if column == "display_name" else profile
        field = _FIELD_OF.get(column, column)
        if getattr(target, column) != value:
            setattr(target, column, value)
            if field not in changed:
                changed.append(field)
    _check_birthday(profile, patch)
    if changed:
        profile.updated_at = at
        await outbox.add(
            session,
            ProfileUpdated(
                user_id=user_id,
                changed=changed,
                display_name=user.display_name,
                **{field: getattr(profile, field) for field in PROFILE_FIELDS},
                updated_at=at,
            ),
        )
    if changed:
        await session.flush()  # the segments' SQL reads the profile as changed
        await segments.refresh(session, user_id, {f"profile.{field}" for field in changed})
    if {"birthday", "time_zone"} & set(changed):
        await birthdays.schedule(session, user_id, at)
    for channel, granted in patch.consent_changes().items():
        consent = await session.get(Consent, (user_id, channel), with_for_update=True)
        if (consent.granted if consent else False) == granted:
            continue
        if consent is None:
            session.add(Consent(user_id=user_id, channel=channel, granted=granted, changed_at=at))
        else:
            consent.granted, consent.changed_at = granted, at
        await outbox.add(
            session,
            ConsentChanged(user_id=user_id, channel=channel, granted=granted, changed_at=at),
        )
    await session.commit()


async def search(
    session: AsyncSession,
    email: str | None,
    role: Role | None,
    page: PageRequest,
    stage: LifecycleStage | None = None,
    tier: Tier | None = None,
    tag: str | None = None,
    segment: UUID | None = None,
) -> tuple[list[User], str | None]:
    """Users whose email starts with `email` (any case), who hold `role`, are in lifecycle
    `stage`, hold membership `tier` and interest `tag` and are members of `segment` (each
    when given), newest first."""
    statement = select(User)
    if tag is not None:
        statement = statement.where(tags.users_tagged(tags.parse_tag(tag, "query.tag")))
    if segment is not None:
        statement = statement.where(segments.users_in(segment))
    if stage is not None:
        statement = statement.where(lifecycle.users_in(stage))
    if tier is not None:
        statement = statement.where(membership.users_holding(tier))
    if email:
        statement = statement.where(
            User.email.startswith(accounts.normalise(email), autoescape=True)
        )
    if role is not None:
        # Roles are a JSON list; the role is one of the enum's values, so the pattern is
        # plain text on both databases.
        statement = statement.where(cast(User.roles, String).like(f'%"{role.value}"%'))
    return await fetch_page(session, statement, key=[User.id], page=page)
