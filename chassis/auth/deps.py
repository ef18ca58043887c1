"""FastAPI dependencies that state who may call a route."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

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
    if credentials is None or credentials.scheme.lower() != "bearer":
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


def optional_auth_in_openapi(schema: dict) -> dict:
    """Routes that take a token but do not need one: "no auth, or the bearer token"."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            if {OPTIONAL_BEARER: []} in operation.get("security", []):
                operation["security"] = [{}, {BEARER: []}]
    schema.get("components", {}).get("securitySchemes", {}).pop(OPTIONAL_BEARER, None)
    return schema


def require_roles(*roles: Role):
    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.has_any(*roles):
            wanted = " or ".join(roles)
            raise Forbidden(f"This action needs the {wanted} role.")
        return principal

    return check


PrincipalDep = Annotated[Principal, Depends(current_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(optional_principal)]
OperatorDep = Annotated[Principal, Depends(require_roles(Role.OPERATOR, Role.ADMIN))]
AdminDep = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
