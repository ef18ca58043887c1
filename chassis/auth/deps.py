"""FastAPI dependencies that state who may call a route."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from chassis.auth.access import ADMITTED_ROLES, Access
from chassis.auth.principal import Principal, Role
from chassis.auth.tokens import InvalidToken, JwksKeys, verify_access_token
from chassis.http.problems import Forbidden, Unauthorized

BEARER, OPTIONAL_BEARER = "HTTPBearer", "OptionalBearer"
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name=BEARER,
    description="Access token from POST /api/v1/users/auth/token",
)
# The same token, for routes that also serve anonymous callers; OpenAPI cannot say "optional"
# of a scheme, so `optional_auth_in_openapi` rewrites it into an alternative of no auth.
_optional_bearer = HTTPBearer(auto_error=False, scheme_name=OPTIONAL_BEARER)


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    # HTTPBearer(auto_error=False) gives None for no header and for another scheme alike.
    if credentials is None:
        raise Unauthorized("A bearer access token is required.")
    keys: JwksKeys = request.app.state.jwks
    try:
        return await verify_access_token(credentials.credentials, keys)
    except InvalidToken as error:
        raise Unauthorized(str(error)) from None


async def optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_optional_bearer)],
) -> Principal | None:
    """Anonymous callers are welcome; a token, when sent, must be valid."""
    if credentials is None:
        return None
    return await current_principal(request, credentials)


class RoleCheck:
    """A dependency admitting the signed-in principals whose roles the access level admits;
    the level is kept so that `chassis.auth.openapi` can name it in the OpenAPI document."""

    def __init__(self, access: Access) -> None:
        self.access = access
        self.roles = ADMITTED_ROLES[access]

    async def __call__(
        self, principal: Annotated[Principal, Depends(current_principal)]
    ) -> Principal:
        if not principal.roles & self.roles:
            wanted = " or ".join(role for role in Role if role in self.roles)
            raise Forbidden(f"This action needs the {wanted} role.")
        return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(optional_principal)]
OperatorDep = Annotated[Principal, Depends(RoleCheck(Access.OPERATOR))]
AdminDep = Annotated[Principal, Depends(RoleCheck(Access.ADMIN))]
