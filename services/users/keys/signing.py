"""Signing access tokens with a key, and publishing keys as a JWKS: no I/O."""

import json
from datetime import datetime, timedelta
from functools import cache
from uuid import UUID

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chassis.auth.tokens import ALGORITHM, AUDIENCE, ISSUER
from chassis.clock import now
from chassis.ids import new_id
from services.users.keys.models import SigningKey


def new_key() -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return SigningKey(kid=new_id().hex, private_pem=pem.decode())


@cache
def _private_key(pem: str) -> rsa.RSAPrivateKey:
    return serialization.load_pem_private_key(pem.encode(), None)


def jwks(keys: list[SigningKey]) -> dict:
    published = []
    for key in keys:
        public = _private_key(key.private_pem).public_key()
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
        published.append({**jwk, "kid": key.kid, "use": "sig", "alg": ALGORITHM})
    return {"keys": published}


def access_token(
    key: SigningKey, *, user_id: UUID, email: str, roles: list[str], lifetime: timedelta
) -> tuple[str, datetime]:
    issued = now()
    expires = issued + lifetime
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(user_id),
        "email": email,
        "roles": roles,
        "typ": "access",
        "iat": issued,
        "exp": expires,
        "jti": new_id().hex,
    }
    signer = _private_key(key.private_pem)
    token = jwt.encode(claims, signer, algorithm=ALGORITHM, headers={"kid": key.kid})
    return token, expires
