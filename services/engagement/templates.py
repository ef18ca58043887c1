"""Message templates: what each message says to whom, rendered without I/O."""

from dataclasses import dataclass
from enum import StrEnum


class Template(StrEnum):
    WELCOME = "welcome"


@dataclass(frozen=True)
class Rendered:
    template: Template
    title: str
    body: str


def welcome(display_name: str | None) -> Rendered:
    """The first message of the welcome series, addressed by name when we know it."""
    name = (display_name or "").strip()
    return Rendered(
        Template.WELCOME,
        title=f"Welcome to Flywheel, {name}!" if name else "Welcome to Flywheel!",
        body="Thanks for joining. Your new-member perks are waiting in your account.",
    )
