"""Payer references (pure): the keyed hash of a provider's payer account id that `order.paid`
carries, so that two customers paying from one wallet or card can be told apart from two
customers, without the account id itself leaving the payments domain.

payer_ref = hex(HMAC-SHA256(key, "payer:" + provider + ":" + payer_id))[:32]. The provider's
name is in the message, so one id at two providers is two payers; 128 bits keep collisions out
of reach while the reference stays short."""

import hashlib
import hmac

LENGTH = 32  # hex characters: 128 bits


def payer_ref(key: bytes, provider: str, payer_id: str) -> str:
    message = f"payer:{provider}:{payer_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:LENGTH]
