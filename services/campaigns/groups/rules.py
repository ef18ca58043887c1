"""Pure rules of group buys: share codes and a group's states."""

import secrets
from enum import StrEnum

# No 0/O, 1/I/L: a code read aloud or typed from a picture is not mistaken.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


class GroupStatus(StrEnum):
    OPEN = "open"  # taking members until it is full or its time runs out
    COMPLETED = "completed"  # full: its members' orders proceed
    FAILED = "failed"  # its time ran out before it was full: its orders are cancelled


def share_code() -> str:
    """A fresh share code: 31^8 ≈ 8.5e11 codes, drawn from the OS's CSPRNG so that codes
    cannot be guessed from one another (the unique constraint still decides)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str | None:
    """A code as a customer typed it (any case, surrounding spaces), or None when it cannot
    be one."""
    code = text.strip().upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code
