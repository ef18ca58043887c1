"""What a service's OpenAPI document says about auth: each operation's access level, derived
from the route's auth dependencies (`x-flywheel-access`), and tokens that are optional."""

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from chassis.auth.access import ACCESS_EXTENSION, Access
from chassis.auth.deps import BEARER, OPTIONAL_BEARER, RoleCheck, current_principal


def access_of(dependant: Dependant) -> Access:
    """The access level a route's dependencies enforce: the level of its role check, else
    customer when it needs a principal, else public (no auth dependency, or an optional one).
    A route with role checks of different levels passes only callers that satisfy all of
    them; admin is the one level every check admits, so it is the level to state."""
    levels: set[Access] = set()
    needs_principal = False
    pending = [dependant]
    while pending:
        current = pending.pop()
        if isinstance(current.call, RoleCheck):
            levels.add(current.call.access)
        elif current.call is current_principal:  # pragma: no mutate (`==` on functions is `is`)
            needs_principal = True
        pending.extend(current.dependencies)
    if len(levels) > 1:
        return Access.ADMIN
    if levels:
        return levels.pop()
    return Access.CUSTOMER if needs_principal else Access.PUBLIC


def declare_access(app: FastAPI, schema: dict[str, Any]) -> dict[str, Any]:
    """Write each documented operation's access level into `schema` (the app's document)."""
    paths = schema.get("paths", {})
    # Included routers are resolved lazily (FastAPI >= 0.165): their routes, with the
    # prefix and dependencies they were included with, come from the route contexts.
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        item = paths.get(route.path_format, {})
        level = access_of(route.dependant).value
        for method in route.methods:
            operation = item.get(method.lower())
            if operation is not None:
                operation[ACCESS_EXTENSION] = level
    return schema


def optional_auth_in_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """Routes that take a token but do not need one: "no auth, or the bearer token"."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            if {OPTIONAL_BEARER: []} in operation.get("security", []):
                operation["security"] = [{}, {BEARER: []}]
    schema.get("components", {}).get("securitySchemes", {}).pop(OPTIONAL_BEARER, None)
    return schema
