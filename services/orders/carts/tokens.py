"""Anonymous carts' tokens (pure): a secret shown once to the visitor, kept as its SHA-256."""

import hashlib
import secrets

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 128


def new_token() -> str:
    """256 random bits, URL-safe: guessing one is out of reach, so no one needs a cart id."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the database keeps and looks the cart up by. A fast, unsalted hash is enough for a
    random 256-bit secret (there is nothing to brute-force, unlike a password), and it must be
    deterministic to be looked up; a leaked table still opens no cart."""
    return hashlib.sha256(token.encode()).hexdigest()
