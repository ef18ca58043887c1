"""Secrets a service must read back (the signing secrets of webhooks), sealed at rest.

Sealed with Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under keys given in
the environment, never in the database: a copy of the database alone reveals no secret.
The first key seals, every key opens, so keys rotate by putting a new one first, re-sealing
(`SecretBox.reseal`) and later dropping the old one.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# Public, in the repository: it seals development data only; production refuses it.
DEV_KEY = "wssiHw0CjeSpUo6FaMig9_1jZh4IK5G-XgokzrXK0N0="
PREFIX = "fernet:"


class UnreadableSecret(ValueError):
    """Sealed under none of the keys given (a key was dropped too early), or not sealed."""


class SecretBox:
    def __init__(self, keys: str) -> None:
        """`keys`: Fernet keys (url-safe base64 of 32 bytes), comma-separated."""
        listed = [Fernet(key.strip()) for key in keys.split(",") if key.strip()]
        if not listed:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet(listed)

    def seal(self, secret: str) -> str:
        return PREFIX + self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        if not sealed.startswith(PREFIX):
            raise UnreadableSecret("not a sealed secret")
        try:
            return self._fernet.decrypt(sealed.removeprefix(PREFIX).encode()).decode()
        except InvalidToken:
            raise UnreadableSecret("sealed under a key that is not given") from None

    def reseal(self, sealed: str) -> str:
        """The same secret sealed under the first key (after a key rotation)."""
        return PREFIX + self._fernet.rotate(sealed.removeprefix(PREFIX).encode()).decode()
