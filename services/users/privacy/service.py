"""Operations of privacy: the export (every row about the customer, by domain) and the
erasure, one transaction: the account's identity anonymized by a guarded UPDATE (once),
personal rows deleted, logins ended, segments re-evaluated, `user.erased` published."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput
from contracts.users import UserErased
from services.users.accounts.models import RoleChange, User
from services.users.accounts.passwords import verify_password
from services.users.birthdays.models import BirthdayAnnounced, BirthdayTimer
from services.users.checkins.models import CheckIn
from services.users.lifecycle.models import LifecycleState
from services.users.logins.models import LoginFailure, RefreshToken
from services.users.membership.models import Membership
from services.users.metrics.models import OrderStats, PaidOrder, UserActivity
from services.users.points.models import PointsAccount, PointsEntry
from services.users.profiles.models import Consent, Profile
from services.users.referrals.models import Referral, ReferralCode, SeenDevice, SeenPayer
from services.users.resets.models import PasswordReset
from services.users.rfm import service as rfm
from services.users.rfm.models import RfmScore
from services.users.segments import rules
from services.users.segments import service as segments
from services.users.segments.models import Segment, SegmentMember
from services.users.tags.models import TagChange, TagEvidence, TagEvidenceDay, TagTimer, UserTag

# What the export holds, by section: each a model and its column naming the customer.
EXPORTED = {
    "profile": (Profile, Profile.user_id),
    "consents": (Consent, Consent.user_id),
    "points_account": (PointsAccount, PointsAccount.user_id),
    "points_ledger": (PointsEntry, PointsEntry.user_id),
    "check_ins": (CheckIn, CheckIn.user_id),
    "membership": (Membership, Membership.user_id),
    "lifecycle": (LifecycleState, LifecycleState.user_id),
    "rfm": (RfmScore, RfmScore.user_id),
    "activity": (UserActivity, UserActivity.user_id),
    "order_stats": (OrderStats, OrderStats.user_id),
    "paid_orders": (PaidOrder, PaidOrder.user_id),
    "referral_code": (ReferralCode, ReferralCode.user_id),
    "referred_by": (Referral, Referral.referee_id),
    "role_changes": (RoleChange, RoleChange.user_id),
    "devices": (SeenDevice, SeenDevice.user_id),
    "payers": (SeenPayer, SeenPayer.user_id),
    "tags": (UserTag, UserTag.user_id),
    "tag_evidence": (TagEvidence, TagEvidence.user_id),
    "tag_changes": (TagChange, TagChange.user_id),
    "birthday_timer": (BirthdayTimer, BirthdayTimer.user_id),
    "birthdays_announced": (BirthdayAnnounced, BirthdayAnnounced.user_id),
}
ACCOUNT = ("id", "email", "display_name", "roles", "created_at", "last_login_at")
# Rows that are personal data and no ledger: deleted on erasure.
ERASED = [
    (Profile, Profile.user_id),
    (Consent, Consent.user_id),
    (RefreshToken, RefreshToken.user_id),
    (PasswordReset, PasswordReset.user_id),
    (ReferralCode, ReferralCode.user_id),
    (SeenDevice, SeenDevice.user_id),
    (SeenPayer, SeenPayer.user_id),
    # interests are profiling: gone with the person (the audit keeps who changed them)
    (UserTag, UserTag.user_id),
    (TagEvidence, TagEvidence.user_id),
    (TagEvidenceDay, TagEvidenceDay.user_id),
    (TagTimer, TagTimer.user_id),
    # the birthday is in the profile; its timer and the years announced tell it too
    (BirthdayTimer, BirthdayTimer.user_id),
    (BirthdayAnnounced, BirthdayAnnounced.user_id),
]


def _row(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


async def export(session: AsyncSession, user_id: UUID) -> dict[str, Any]:
    """Everything this service keeps about the customer, by section (one object, or a list
    where there may be several rows)."""
    user = await session.get(User, user_id)
    document: dict[str, Any] = {
        "exported_at": now(),
        "account": {key: getattr(user, key) for key in ACCOUNT},
    }
    for section, (model, column) in EXPORTED.items():
        rows = [_row(r) for r in await session.scalars(select(model).where(column == user_id))]
        single = len(model.__table__.primary_key.columns) == 1 and column.primary_key
        document[section] = (rows[0] if rows else None) if single else rows
    document["segments"] = [
        {"segment_id": segment_id, "name": name, "entered_at": entered_at}
        for segment_id, name, entered_at in await session.execute(
            select(Segment.id, Segment.name, SegmentMember.entered_at)
            .join(SegmentMember, SegmentMember.segment_id == Segment.id)
            .where(SegmentMember.user_id == user_id)
            .order_by(Segment.name)
        )
    ]
    referred = select(func.count()).where(Referral.referrer_id == user_id)
    document["referred"] = await session.scalar(referred)
    return document


def erased_email(user_id: UUID) -> str:
    return f"erased-{user_id.hex}@erased.invalid"


async def erase(session: AsyncSession, user_id: UUID, password: str) -> datetime:
    """Erase the customer's personal data, confirmed by their password (a stolen access
    token alone erases nothing); the ledgers (points, paid orders) keep their sums."""
    user = await session.get(User, user_id)
    if user.erased_at is not None:
        raise Conflict("This account is already erased.")
    if not await verify_password(user.password_hash, password):
        raise InvalidInput("body.password", "The password is wrong.")
    at, email = now(), user.email
    taken = await session.execute(
        update(User)
        .where(User.id == user_id, User.erased_at.is_(None))
        .values(
            email=erased_email(user_id),
            display_name=None,
            password_hash="!erased",  # matches no password
            last_login_at=None,
            erased_at=at,
        )
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        await session.rollback()
        raise Conflict("This account is already erased.")
    for model, column in ERASED:
        await session.execute(delete(model).where(column == user_id))
    await session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    await session.execute(
        update(Referral)
        .where(Referral.referee_id == user_id)
        .values(code="erased")
        .execution_options(synchronize_session=False)
    )
    personal = {f for f in rules.FIELDS if f.startswith(("profile.", "logins.")) or f == "tags"}
    await rfm.forget(session, user_id, at)  # no longer scored: announced, as every change
    await segments.refresh(session, user_id, personal | rfm.FIELDS)
    await outbox.add(session, UserErased(user_id=user_id, erased_at=at))
    await session.commit()
    return at
