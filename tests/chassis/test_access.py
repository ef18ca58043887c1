"""Each route's access level comes from its auth dependencies and reaches its OpenAPI
document as `x-flywheel-access`, however the route is declared."""

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI
from starlette.requests import Request
from starlette.responses import PlainTextResponse

from chassis.auth.access import ADMITTED_ROLES, Access
from chassis.auth.deps import (
    AdminDep,
    OperatorDep,
    OptionalPrincipalDep,
    PrincipalDep,
    RoleCheck,
    current_principal,
)
from chassis.auth.openapi import declare_access
from chassis.auth.principal import Principal, Role


def _app() -> FastAPI:
    router = APIRouter()

    @router.get("/open")
    async def open_route() -> dict:
        return {}

    @router.get("/maybe")
    async def maybe(_: OptionalPrincipalDep) -> dict:
        return {}

    @router.get("/mine")
    async def mine(_: PrincipalDep) -> dict:
        return {}

    @router.post("/staff")
    async def staff(_: OperatorDep) -> dict:
        return {}

    @router.delete("/staff")
    async def fire(_: AdminDep) -> dict:
        return {}

    async def nested(principal: OperatorDep) -> Principal:
        return principal

    @router.get("/nested")
    async def through_another_dependency(_: Annotated[Principal, Depends(nested)]) -> dict:
        return {}

    @router.get("/both")
    async def both(_: OperatorDep, __: Annotated[Principal, Depends(RoleCheck(Access.PARTNER))]):
        return {}

    guarded = APIRouter(dependencies=[Depends(current_principal)])

    @guarded.get("/guarded")
    async def guarded_route() -> dict:
        return {}

    @router.get("/hidden", include_in_schema=False)
    async def hidden(_: AdminDep) -> dict:
        return {}

    async def plain(_: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = FastAPI()
    app.include_router(router, prefix="/api/v1/x")
    app.include_router(guarded, prefix="/api/v1/x")
    # A Starlette route (no dependencies, in no schema): neither hidden nor an APIRoute.
    app.add_route("/api/v1/x/plain", plain)
    generate = app.openapi
    app.openapi = lambda: declare_access(app, generate())
    return app


def test_each_operation_states_the_access_its_dependencies_enforce():
    paths = _app().openapi()["paths"]
    levels = {
        (method.upper(), path.removeprefix("/api/v1/x")): operation.get("x-flywheel-access")
        for path, item in paths.items()
        for method, operation in item.items()
    }
    assert levels == {
        ("GET", "/open"): "public",
        ("GET", "/maybe"): "public",  # a token is welcome, not needed
        ("GET", "/mine"): "customer",
        ("POST", "/staff"): "operator",
        ("DELETE", "/staff"): "admin",
        ("GET", "/nested"): "operator",  # found below another dependency
        ("GET", "/both"): "admin",  # the one role both checks admit
        ("GET", "/guarded"): "customer",  # a router's dependency
    }


def test_every_role_check_admits_admins_and_the_edge_uses_the_same_table():
    assert all(Role.ADMIN in roles for roles in ADMITTED_ROLES.values())
    assert ADMITTED_ROLES[Access.OPERATOR] == {Role.OPERATOR, Role.ADMIN}
    assert ADMITTED_ROLES[Access.ADMIN] == {Role.ADMIN}
    assert ADMITTED_ROLES[Access.CUSTOMER] == set(Role)
