"""Message templates: what each message says to whom, rendered without I/O."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Template(StrEnum):
    WELCOME = "welcome"
    PASSWORD_RESET = "password_reset"


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


def password_reset(token: str, expires_at: datetime) -> Rendered:
    """The reset token of a password reset, and until when it works."""
    until = expires_at.strftime("%Y-%m-%d %H:%M UTC")
    return Rendered(
        Template.PASSWORD_RESET,
        title="Reset your Flywheel password",
        body=f"Your password reset code is {token}\nIt works once, until {until}. "
        "If you did not ask for it, ignore this message: your password is unchanged.",
    )
