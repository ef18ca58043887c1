"""Signed payment callbacks (pure): HMAC-SHA256 over the timestamp, the nonce and the body.

signature = hex(HMAC-SHA256(secret, f"{timestamp}.{nonce}." + body)), sent in
`Flywheel-Pay-Signature` beside `Flywheel-Pay-Timestamp` (Unix seconds) and
`Flywheel-Pay-Nonce`. A timestamp further than the tolerance from now, in either direction,
is stale; each nonce is accepted once (the service keeps the spent ones).
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chassis.http.problems import Problem

TIMESTAMP = "Flywheel-Pay-Timestamp"
NONCE = "Flywheel-Pay-Nonce"
SIGNATURE = "Flywheel-Pay-Signature"
MAX_NONCE = 100


class InvalidSignature(Problem):
    """A callback that is not provably the provider's, or not fresh: refused (401)."""

    status, slug = 401, "invalid-signature"


@dataclass(frozen=True)
class Signed:
    nonce: str
    signed_at: datetime


def sign(secret: bytes, timestamp: int, nonce: str, body: bytes) -> str:
    message = f"{timestamp}.{nonce}.".encode() + body
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def verify(
    secret: bytes,
    body: bytes,
    *,
    timestamp: str | None,
    nonce: str | None,
    signature: str | None,
    at: datetime,
    tolerance: timedelta,
) -> Signed:
    """The callback's nonce and time if its signature holds and it is fresh; else raise."""
    if not (timestamp and nonce and signature):
        raise InvalidSignature(f"A callback carries {TIMESTAMP}, {NONCE} and {SIGNATURE}.")
    if not timestamp.isdigit() or len(nonce) > MAX_NONCE:
        raise InvalidSignature(f"{TIMESTAMP} is Unix seconds; {NONCE} at most {MAX_NONCE} chars.")
    expected = sign(secret, int(timestamp), nonce, body)
    if not hmac.compare_digest(expected, signature):
        raise InvalidSignature("The callback's signature does not match its body.")
    signed_at = datetime.fromtimestamp(int(timestamp), UTC)
    if abs(at - signed_at) > tolerance:
        raise InvalidSignature(f"The callback was signed at {signed_at}: too far from now.")
    return Signed(nonce, signed_at)
