"""Access levels: who may call an operation, in one word that the service's OpenAPI document
carries (`x-flywheel-access`) and the gateway enforces at the edge."""

from enum import StrEnum

from chassis.auth.principal import Role

ACCESS_EXTENSION = "x-flywheel-access"
# Optional per-operation tuning a route may declare with `openapi_extra`; the gateway reads it.
RATE_CLASS_EXTENSION = "x-flywheel-rate-class"
TIMEOUT_EXTENSION = "x-flywheel-timeout"


class Access(StrEnum):
    PUBLIC = "public"  # anyone, signed in or not
    CUSTOMER = "customer"  # any signed-in user
    PARTNER = "partner"  # the partner or admin role
    OPERATOR = "operator"  # the operator or admin role
    ADMIN = "admin"


# The roles each level admits: the services' role checks and the gateway's admission both
# read this one table, so the edge and the service cannot disagree on what "operator" means.
ADMITTED_ROLES: dict[Access, frozenset[Role]] = {
    Access.CUSTOMER: frozenset(Role),
    Access.PARTNER: frozenset({Role.PARTNER, Role.ADMIN}),
    Access.OPERATOR: frozenset({Role.OPERATOR, Role.ADMIN}),
    Access.ADMIN: frozenset({Role.ADMIN}),
}
