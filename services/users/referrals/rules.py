"""The rules of referrals, pure: invite codes, what a claim may not make (self-referral, a
loop), the rewards, and the signals that the two sides are one person (farming: a device, an
inbox, a payer account). No I/O."""

import secrets
from collections.abc import Collection, Sequence
from datetime import datetime
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


# Mailbox providers that ignore dots in the local part (so a.b@ and ab@ are one inbox).
DOTLESS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}
SAME_DEVICE = "same_device"
SAME_MAILBOX = "same_mailbox"
SAME_PAYER = "same_payer"
MONTHLY_CAP = "monthly_cap"


def mailbox(email: str) -> str:
    """The inbox an address delivers to: lower case, without a `+tag`, and without dots
    where the provider ignores them. `Mei.Li+2@GoogleMail.com` is `meili@gmail.com`."""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in DOTLESS:
        domain, local = DOTLESS[domain], local.replace(".", "")
    return f"{local}@{domain}"


def shared_signals(
    referrer_email: str,
    referee_email: str,
    referrer_devices: Collection[str],
    referee_devices: Collection[str],
    referrer_payers: Collection[str] = (),
    referee_payers: Collection[str] = (),
) -> list[str]:
    """Why the two sides look like one person: a device both were signed in on (the
    storefront's anonymous id), addresses that deliver to one inbox, or a payer account both
    paid from (orders' `payer_ref`: one wallet paying for both). Empty: none."""
    found = []
    if set(referrer_devices) & set(referee_devices):
        found.append(SAME_DEVICE)
    if mailbox(referrer_email) == mailbox(referee_email):
        found.append(SAME_MAILBOX)
    if set(referrer_payers) & set(referee_payers):
        found.append(SAME_PAYER)
    return found


def month_of(at: datetime) -> str:
    """The calendar month (UTC) a reward counts against the referrer's cap: `2026-12`."""
    return f"{at.year:04d}-{at.month:02d}"
