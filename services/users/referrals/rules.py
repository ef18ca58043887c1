"""The rules of referrals, pure: invite codes, what a claim may not make (self-referral, a
loop), the rewards. No I/O."""

import secrets
from collections.abc import Sequence
from uuid import UUID

# No 0/O, 1/I/L: codes are read aloud and typed from screenshots.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8
REFERRER_POINTS = 200  # for the one who invited
REFEREE_POINTS = 100  # for the one invited
MAX_CHAIN = 10_000  # referrers walked up from a code's owner: beyond it, a broken chain


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(code: str) -> str:
    """A code as typed (any case, spaces or dashes between groups) as it is stored."""
    return code.strip().upper().replace(" ", "").replace("-", "")


def well_formed(code: str) -> bool:
    return len(code) == LENGTH and all(c in ALPHABET for c in code)


class Refused(ValueError):
    """A claim the rules refuse, with the reason."""


def check_claim(claimer: UUID, owner: UUID, owners_chain: Sequence[UUID]) -> None:
    """Refuse a claim by `claimer` of `owner`'s code when it is their own, or when `claimer`
    is already up `owner`'s chain of referrers (`owners_chain`: who referred the owner, who
    referred them, ...): that referral would close a loop."""
    if claimer == owner:
        raise Refused("a customer cannot claim their own code")
    if claimer in owners_chain:
        raise Refused("the code's owner was referred, directly or not, by the claimer")
