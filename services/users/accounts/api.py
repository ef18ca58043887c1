"""Routes of accounts: registration, roles granted and revoked by admins."""

from uuid import UUID

from fastapi import APIRouter, status

from chassis.auth import Role
from chassis.auth.deps import AdminDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.users.accounts import service
from services.users.accounts.schemas import Registration, RolesOut, UserOut

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


@router.put(
    "/users/{user_id}/roles/{role}",
    summary="Grant a role (audited; takes effect at the user's next token)",
    responses=responses(401, 403, 404, 422),
)
async def grant_role(user_id: UUID, role: Role, admin: AdminDep, session: SessionDep) -> RolesOut:
    user = await service.grant_role(session, user_id, role, by=admin.user_id)
    return RolesOut(id=user.id, roles=user.roles)


@router.delete(
    "/users/{user_id}/roles/{role}",
    summary="Revoke a role (audited; takes effect at the user's next token)",
    responses=responses(401, 403, 404, 409, 422),
)
async def revoke_role(user_id: UUID, role: Role, admin: AdminDep, session: SessionDep) -> RolesOut:
    user = await service.revoke_role(session, user_id, role, by=admin.user_id)
    return RolesOut(id=user.id, roles=user.roles)
