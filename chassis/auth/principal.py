"""Who is calling: the subject of a verified token and its roles."""

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CUSTOMER = "customer"
    OPERATOR = "operator"
    ADMIN = "admin"
    PARTNER = "partner"


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[Role]
    email: str | None = None

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_staff(self) -> bool:
        return self.has_any(Role.OPERATOR, Role.ADMIN)
