"""Signing access tokens: RSA keys kept in the database, published as a JWKS."""

import json
from datetime import datetime, timedelta
from functools import cache
from uuid import UUID

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth.tokens import ALGORITHM, AUDIENCE, ISSUER
from chassis.clock import now
from chassis.ids import new_id
from services.users.models import SigningKey


def _new_key() -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return SigningKey(kid=new_id().hex, private_pem=pem.decode())


async def active_keys(session: AsyncSession) -> list[SigningKey]:
    """Keys still published, newest first."""
    result = await session.scalars(
        select(SigningKey)
        .where(SigningKey.retired_at.is_(None))
        .order_by(SigningKey.created_at.desc())
    )
    return list(result)


async def ensure_key(session: AsyncSession) -> None:
    if not await active_keys(session):
        session.add(_new_key())
        await session.commit()


async def rotate(session: AsyncSession, keep: int = 2) -> SigningKey:
    """Add a new signing key; keep the previous ones published so that tokens they signed
    stay valid until they expire; retire older keys beyond `keep`."""
    key = _new_key()
    session.add(key)
    for old in (await active_keys(session))[keep:]:
        old.retired_at = now()
    await session.commit()
    return key


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
