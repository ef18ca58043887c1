"""Routes of referrals: the caller's own code and referrals, and claiming an invite code."""

from fastapi import APIRouter, status

from chassis.auth.deps import PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.users.referrals import service
from services.users.referrals.schemas import ClaimIn, ClaimOut, ReferralOut

router = APIRouter(tags=["referrals"])


@router.get(
    "/me/referral",
    summary="The caller's invite code and the customers they referred",
    responses=responses(401),
)
async def mine(principal: PrincipalDep, session: SessionDep) -> ReferralOut:
    return ReferralOut(**await service.summary(session, principal.user_id))


@router.post(
    "/me/referral/claim",
    status_code=status.HTTP_201_CREATED,
    summary="Claim the invite code of whoever referred the caller, before their first order",
    description="One claim per account (409 after one, or after a paid order, or when it "
    "would close a loop of referrals); 422 for a malformed, unknown or one's own code.",
    responses=responses(401, 409, 422),
)
async def claim(body: ClaimIn, principal: PrincipalDep, session: SessionDep) -> ClaimOut:
    referral = await service.claim(session, principal.user_id, body.code)
    return ClaimOut(
        code=referral.code, status=referral.status, attributed_at=referral.attributed_at
    )
