"""Authentication at the edge: every bad credential is refused before the upstream is called."""

import asyncio
import time
import uuid

import httpx
import jwt
import pytest
from conftest import fake_service, quiet_server

from chassis.auth.tokens import InvalidToken, JwksKeys
from chassis.http.problems import MEDIA_TYPE
from chassis.testing import eventually
from gateway.credentials import VerifiedTokens

CUSTOMER_ROUTE = "/api/v1/orders/orders"
OPERATOR_ROUTE = "/api/v1/analytics/events"


async def _refused(stack, client, path, headers, status):
    mark = stack.journal.mark()
    response = await client.get(path, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    problem = response.json()
    assert (problem["status"], problem["instance"]) == (status, path)
    assert stack.journal.since(mark) == [], "the upstream must not be called"
    return response


async def test_no_credentials_on_a_protected_route(gw_stack, gw_client):
    response = await _refused(gw_stack, gw_client, CUSTOMER_ROUTE, {}, 401)
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Token abc", "Bearer a.b.c"],
)
async def test_malformed_authorization(gw_stack, gw_client, authorization):
    await _refused(gw_stack, gw_client, CUSTOMER_ROUTE, {"Authorization": authorization}, 401)


async def test_expired_token(gw_stack, gw_client):
    headers = gw_stack.signer.bearer(expires_in=-60)
    response = await _refused(gw_stack, gw_client, CUSTOMER_ROUTE, headers, 401)
    assert "expired" in response.json()["detail"]


async def test_token_signed_with_another_key_under_a_known_kid(gw_stack, gw_client):
    headers = gw_stack.signer.bearer(key=gw_stack.signer.new_key())
    await _refused(gw_stack, gw_client, CUSTOMER_ROUTE, headers, 401)


async def test_token_signed_with_an_unknown_key(gw_stack, gw_client):
    headers = gw_stack.signer.bearer(key=gw_stack.signer.new_key(), kid="rogue")
    await _refused(gw_stack, gw_client, CUSTOMER_ROUTE, headers, 401)


@pytest.mark.parametrize(
    "claims",
    [{"aud": "someone-else"}, {"iss": "not-flywheel"}, {"typ": "refresh"}, {"sub": "admin"}],
)
async def test_token_for_another_audience_issuer_or_use(gw_stack, gw_client, claims):
    headers = gw_stack.signer.bearer(**claims)
    await _refused(gw_stack, gw_client, CUSTOMER_ROUTE, headers, 401)


async def test_unsigned_and_symmetric_tokens(gw_stack, gw_client):
    claims = {
        "iss": "flywheel-users",
        "aud": "flywheel",
        "sub": str(uuid.uuid4()),
        "roles": ["admin"],
    }
    claims |= {"typ": "access", "iat": int(time.time()), "exp": int(time.time()) + 60}
    for token in (
        jwt.encode(claims, None, "none", headers={"kid": "test-1"}),
        jwt.encode(claims, "secret" * 8, "HS256", headers={"kid": "test-1"}),
    ):
        headers = {"Authorization": f"Bearer {token}"}
        await _refused(gw_stack, gw_client, CUSTOMER_ROUTE, headers, 401)


async def test_wrong_role_is_forbidden(gw_stack, gw_client):
    headers = gw_stack.signer.bearer("customer")
    response = await _refused(gw_stack, gw_client, OPERATOR_ROUTE, headers, 403)
    assert "operator" in response.json()["detail"]


async def test_token_and_api_key_together_are_refused(gw_stack, gw_client):
    headers = gw_stack.signer.bearer() | {"X-API-Key": "fwk_whatever"}
    await _refused(gw_stack, gw_client, CUSTOMER_ROUTE, headers, 400)


async def test_valid_tokens_pass_with_their_authorization(gw_stack, gw_client):
    for roles, path in ((("customer",), CUSTOMER_ROUTE), (("operator",), OPERATOR_ROUTE)):
        headers = gw_stack.signer.bearer(*roles)
        response = await gw_client.get(path, headers=headers)
        assert response.status_code == 200
        assert response.json()["headers"]["authorization"] == headers["Authorization"]


async def test_public_routes_ignore_bad_credentials(gw_stack, gw_client):
    for headers in ({}, {"Authorization": "Bearer junk"}, {"X-API-Key": "fwk_unknown"}):
        response = await gw_client.get("/api/v1/catalog/products", headers=headers)
        assert response.status_code == 200


async def test_public_route_methods_are_listed(gw_stack, gw_client):
    """Only reads of the catalogue are public; writing to it needs a token."""
    response = await gw_client.post("/api/v1/catalog/products", json={})
    assert response.status_code == 401


async def test_signing_key_rotation_is_picked_up_without_restart(gw_stack, gw_client):
    new_key = gw_stack.signer.new_key()
    gw_stack.jwks["keys"].append(gw_stack.signer.jwk(new_key, "test-2"))
    headers = gw_stack.signer.bearer(key=new_key, kid="test-2")
    # Unknown key ids refresh the JWKS at most once a second, so allow for one wait.
    for _ in range(30):
        response = await gw_client.get(CUSTOMER_ROUTE, headers=headers)
        if response.status_code == 200:
            break
        await asyncio.sleep(0.1)
    assert response.status_code == 200


async def test_verified_tokens_are_remembered_until_their_time_is_up(gw_stack):
    signer = gw_stack.signer
    old_key, new_key = signer.new_key(), signer.new_key()
    keys = JwksKeys("http://127.0.0.1:9/unreachable")
    keys.preload({"keys": [signer.jwk(old_key, "old")]})
    clock = [time.time()]
    tokens = VerifiedTokens(keys, ttl=30, clock=lambda: clock[0])
    someone = uuid.uuid4()
    token = signer.token(key=old_key, kid="old", subject=str(someone))
    try:
        assert (await tokens.verify(token)).user_id == someone
        keys.preload({"keys": [signer.jwk(new_key, "new")]})  # the old key is withdrawn
        assert (await tokens.verify(token)).user_id == someone  # remembered for a while
        clock[0] += 31
        with pytest.raises(InvalidToken):
            await tokens.verify(token)
    finally:
        await keys.aclose()


async def test_a_service_unknown_at_start_is_signed_in_only_until_its_document_arrives(
    gw_stack, gw_gateway
):
    """The catalog is down when the gateway starts: its public read needs a token (the safe
    default); once the catalog serves, the gateway's refresh learns the read is public."""
    catalog = quiet_server(fake_service("catalog", gw_stack.journal, gw_stack.jwks))
    read = "/api/v1/catalog/products/7"
    async with (
        gw_gateway(upstreams={"catalog": catalog.url}, openapi_refresh_seconds=0.2) as gateway,
        httpx.AsyncClient(base_url=gateway.url) as client,
    ):
        assert (await client.get(read)).status_code == 401
        await catalog.start()
        try:

            async def learned():
                return (await client.get(read)).status_code == 200

            await eventually(learned)
        finally:
            await catalog.stop()
