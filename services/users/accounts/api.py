"""Routes of accounts: registration and the caller's account."""

from fastapi import APIRouter, status

from chassis.auth.deps import PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import NotFound, responses
from services.users.accounts import service
from services.users.accounts.models import User
from services.users.accounts.schemas import Registration, UserOut
from services.users.metrics import service as metrics

router = APIRouter(tags=["users"])


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    summary="Create a customer account",
    responses=responses(409, 422),
)
async def register(body: Registration, session: SessionDep) -> UserOut:
    user = await service.register(session, body.email, body.password, body.display_name)
    return UserOut.model_validate(user, from_attributes=True)


@router.get("/me", summary="The caller's profile", responses=responses(401, 404))
async def me(principal: PrincipalDep, session: SessionDep) -> UserOut:
    user = await session.get(User, principal.user_id)
    if user is None:
        raise NotFound("The account no longer exists.")
    out = UserOut.model_validate(user, from_attributes=True)
    out.orders = await metrics.order_summary(session, principal.user_id)
    return out
