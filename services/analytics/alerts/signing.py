"""Webhook signatures (pure: no I/O): HMAC-SHA256 of `<unix time>.<body>` with the rule's
secret, sent as `X-Flywheel-Signature: t=<unix time>,v1=<hex>` (docs/analytics.md)."""

import hashlib
import hmac
import secrets

HEADER = "X-Flywheel-Signature"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header's value for `body` sent at `timestamp` (seconds since the epoch)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"
