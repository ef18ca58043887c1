"""Who is calling: the subject of a verified token and its roles."""

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID


class Role(StrEnum):
    CUSTOMER = "customer"
    OPERATOR = "operator"
    ADMIN = "admin"
    PARTNER = "partner"


@dataclass(frozen=True)
class Principal:
    user_id: UUID  # the token's `sub`: a user id is a UUID everywhere
    roles: frozenset[Role]
    email: str | None = None

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_staff(self) -> bool:
        return self.has_any(Role.OPERATOR, Role.ADMIN)
