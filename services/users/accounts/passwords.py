"""Password hashing with argon2id, off the event loop (it is deliberately slow).

The cost (time, memory, lanes) comes from the settings when the app is made (`configure`):
one process serves one users app. A hash made at another cost still verifies, and
`needs_rehash` tells the login to store it again at the configured one, so raising the
cost upgrades every active account at its next sign-in."""

import asyncio
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


@dataclass(frozen=True)
class HashCost:
    """argon2id's parameters; the defaults are argon2-cffi's (RFC 9106's second choice)."""

    time_cost: int = 3
    memory_kib: int = 65_536
    parallelism: int = 4


class _Hasher:
    def __init__(self, cost: HashCost) -> None:
        self.argon2 = PasswordHasher(
            time_cost=cost.time_cost, memory_cost=cost.memory_kib, parallelism=cost.parallelism
        )
        # Verifying against this when the email is unknown keeps both answers equally slow.
        self.dummy = self.argon2.hash("not-a-real-password")


_hasher = _Hasher(HashCost())


def configure(cost: HashCost) -> None:
    global _hasher
    if cost != HashCost(
        _hasher.argon2.time_cost, _hasher.argon2.memory_cost, _hasher.argon2.parallelism
    ):
        _hasher = _Hasher(cost)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.argon2.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    hasher = _hasher

    def check() -> bool:
        try:
            return hasher.argon2.verify(password_hash or hasher.dummy, password) and bool(
                password_hash
            )
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


def needs_rehash(password_hash: str) -> bool:
    """Whether a hash that verified was made at another cost than the configured one."""
    return _hasher.argon2.check_needs_rehash(password_hash)
