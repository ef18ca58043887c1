"""Who is calling and whether they may call a route: callers, scopes, admission rules.

Equivalent mutants, marked for `make mutants`: `is` and `==` are one test for enum members,
and these enums' values order so that `<`, `<=`, `>=` against the member compared with pick
out the same callers (an anonymous caller taken for a partner holds no scope, so is refused
either way); the dataclasses are frozen as a guard, and nothing hashes or mutates them.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from chassis.auth.access import ADMITTED_ROLES, Access
from chassis.auth.principal import Principal, Role
from gateway.routes import Route, under


class CallerKind(StrEnum):
    USER = "user"
    PARTNER = "partner"
    ANONYMOUS = "anonymous"


@dataclass(frozen=True)  # pragma: no mutate
class Scope:
    """A route prefix a partner key may call, optionally for one method only."""

    prefix: str
    method: str | None = None

    @classmethod
    def parse(cls, text: str) -> "Scope":
        method, _, prefix = text.strip().rpartition(" ")
        return cls(prefix=prefix.rstrip("/") or "/", method=method.strip().upper() or None)

    def covers(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and under(path, self.prefix)

    def __str__(self) -> str:
        return f"{self.method} {self.prefix}" if self.method else self.prefix


@dataclass(frozen=True)  # pragma: no mutate
class Caller:
    """The principal a request is counted and admitted as."""

    kind: CallerKind
    id: str  # user subject, partner id, or client IP
    roles: frozenset[Role] = frozenset()
    scopes: tuple[Scope, ...] = field(default=())

    @classmethod
    def user(cls, principal: Principal) -> "Caller":
        return cls(CallerKind.USER, str(principal.user_id), principal.roles)

    @property
    def bucket(self) -> str:
        """The rate-limit bucket of this caller."""
        return f"{self.kind}:{self.id}"


def admits(route: Route, caller: Caller, method: str, path: str) -> bool:
    """Whether `caller` may call `route`.

    public: anyone. customer: any signed-in user, or a partner key scoped to the path.
    partner: a partner key scoped to the path, or a user with the partner or admin role.
    operator: operator or admin. admin: admin. A partner key never passes for a role."""
    policy = route.policy
    if policy is Access.PUBLIC:  # pragma: no mutate
        return True
    if caller.kind is CallerKind.PARTNER:  # pragma: no mutate
        return policy in (Access.CUSTOMER, Access.PARTNER) and any(
            scope.covers(method, path) for scope in caller.scopes
        )
    if caller.kind is CallerKind.ANONYMOUS:  # pragma: no mutate
        return False
    return bool(caller.roles & ADMITTED_ROLES[policy])
