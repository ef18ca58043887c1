"""Signing keys: after a rotation the new key signs, and the previous one still verifies."""

from datetime import timedelta

import jwt
import pytest
from sqlalchemy import select

from chassis.auth.tokens import ALGORITHM, AUDIENCE
from chassis.ids import new_id
from services.users.keys.models import SigningKey
from services.users.keys.signing import access_token, jwks, new_key


async def test_a_fresh_token_after_rotation_carries_the_new_kid_and_old_tokens_still_verify(
    platform,
):
    _, admin = await platform.staff("admin")
    _, before = await platform.customer()
    async with platform.client("users", admin) as users:
        rotated = await users.post("/api/v1/users/auth/keys/rotate")
    assert rotated.status_code == 200
    new_kid = rotated.json()["kid"]
    assert jwt.get_unverified_header(before)["kid"] != new_kid

    _, after = await platform.customer()
    assert jwt.get_unverified_header(after)["kid"] == new_kid
    for token in (before, after):
        async with platform.client("users", token) as users:
            assert (await users.get("/api/v1/users/me")).status_code == 200
        async with platform.client("orders", token) as orders:
            assert (await orders.get("/api/v1/orders/orders")).status_code == 200


def test_a_token_verifies_with_the_published_key_of_its_kid_only():
    signer, other = new_key(), new_key()
    token, _ = access_token(
        signer, user_id=new_id(), email="a@b.c", roles=["customer"], lifetime=timedelta(minutes=1)
    )
    published = {k["kid"]: jwt.PyJWK(k) for k in jwks([signer, other])["keys"]}
    kid = jwt.get_unverified_header(token)["kid"]
    assert kid == signer.kid
    jwt.decode(token, published[kid], algorithms=[ALGORITHM], audience=AUDIENCE)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, published[other.kid], algorithms=[ALGORITHM], audience=AUDIENCE)


async def test_keys_stay_published_while_their_tokens_may_be_valid_then_retire(users):
    _, admin = await users.staff("admin")
    _, before = await users.customer()

    async def rotate_and_publish() -> set[str]:
        async with users.client(admin) as client:
            assert (await client.post("/api/v1/users/auth/keys/rotate")).status_code == 200
            keys = (await client.get("/api/v1/users/.well-known/jwks.json")).json()["keys"]
        return {key["kid"] for key in keys}

    for _ in range(3):  # quick rotations: the first key still signed live tokens
        published = await rotate_and_publish()
    async with users.client(before) as client:
        still = await client.get("/api/v1/users/me")
    assert len(published) == 4
    assert jwt.get_unverified_header(before)["kid"] in published
    assert still.status_code == 200

    # Twenty minutes on, beyond the 15-minute access tokens: a rotation retires every key
    # but the one that signed until now.
    async with users.db.session() as session:
        for key in await session.scalars(select(SigningKey)):
            key.created_at -= timedelta(minutes=20)
        await session.commit()
    after = await rotate_and_publish()
    async with users.client(before) as client:
        expired_key = await client.get("/api/v1/users/me")
    assert len(after) == 2
    assert jwt.get_unverified_header(before)["kid"] not in after
    assert expired_key.status_code == 401
