"""Who may call a route: token verification, the signing keys' cache, the role dependencies.

Fast and in-process (tokens signed here, the JWKS served by an httpx transport), so that
`make mutants` can run them for every mutant of `chassis/auth`."""

import asyncio
import dataclasses
import time
from uuid import UUID

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from chassis.auth import tokens
from chassis.auth.deps import AdminDep, OperatorDep, OptionalPrincipalDep, PrincipalDep
from chassis.auth.openapi import optional_auth_in_openapi
from chassis.auth.principal import Principal, Role
from chassis.auth.tokens import InvalidToken, JwksKeys, verify_access_token
from chassis.http import problems
from chassis.ids import new_id

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
USER = new_id()
# Figures the tests pin, not the module's constants (a test reading the constant would follow
# any change of it): keys are refetched at most once a second.
REFRESH = 1.0
KEPT = 10_000  # tokens verified lately, remembered


def jwk(key, kid: str) -> dict:
    public = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**public, "kid": kid, "alg": "RS256", "use": "sig"}


def claims(**changes) -> dict:
    issued = int(time.time())
    base = {
        "sub": str(USER),
        "iss": tokens.ISSUER,
        "aud": tokens.AUDIENCE,
        "iat": issued,
        # A day: the parametrized tokens are signed at collection, minutes before they run.
        "exp": issued + 86_400,
        "typ": "access",
        "roles": ["customer"],
        "email": "someone@example.com",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def sign(key=KEY, kid: str | None = "k1", algorithm: str = "RS256", **changes) -> str:
    headers = {"kid": kid} if kid else {}
    return jwt.encode(claims(**changes), key, algorithm=algorithm, headers=headers)


class Issuer:
    """The JWKS endpoint of the users service, as far as a verifier can see it."""

    def __init__(self, *keys: dict) -> None:
        self.keys = list(keys)
        self.fetches = 0
        self.status = 200

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        return httpx.Response(self.status, json={"keys": self.keys})

    def verifier(self) -> JwksKeys:
        client = httpx.AsyncClient(transport=httpx.MockTransport(self.handle))
        return JwksKeys("http://users/jwks.json", client=client)


@pytest.fixture
def clock(monkeypatch):
    """The monotonic clock of the key cache, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(tokens.time, "monotonic", lambda: now[0])
    return now


async def test_a_valid_access_token_gives_its_principal():
    issuer = Issuer(jwk(KEY, "k1"))
    principal = await verify_access_token(sign(roles=["operator", "admin"]), issuer.verifier())
    assert principal == Principal(
        user_id=USER,
        roles=frozenset({Role.OPERATOR, Role.ADMIN}),
        email="someone@example.com",
    )
    assert isinstance(principal.user_id, UUID)


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("not-a-token", "malformed token"),
        (sign(kid=None), "unexpected token algorithm or missing key id"),
        (jwt.encode(claims(), "s" * 32, algorithm="HS256", headers={"kid": "k1"}), "algorithm"),
        (sign(kid="k9"), "unknown signing key 'k9'"),
        (sign(key=OTHER_KEY), "invalid token: Signature verification failed"),
        (sign(exp=int(time.time()) - tokens.LEEWAY_SECONDS - 30), "token expired"),
        (sign(aud="someone-else"), "invalid token: Audience doesn't match"),
        (sign(iss="someone-else"), "invalid token: Invalid issuer"),
        (sign(exp=None), 'invalid token: Token is missing the "exp" claim'),
        (sign(sub=None), 'invalid token: Token is missing the "sub" claim'),
        (sign(typ="refresh"), "not an access token"),
        (sign(typ=None), "not an access token"),
        (sign(roles=["customer", "wizard"]), "unknown role in token"),
        (sign(sub="user-42"), "the token's subject is not a user id"),
    ],
)
async def test_a_token_that_is_not_a_valid_access_token_is_refused_saying_why(token, reason):
    issuer = Issuer(jwk(KEY, "k1"))
    with pytest.raises(InvalidToken) as refused:
        await verify_access_token(token, issuer.verifier())
    assert reason in str(refused.value)


async def verified_within_one_second(expired_by: int) -> Principal | InvalidToken:
    """Verify a token whose `exp` is `expired_by` whole seconds before now, signing and
    verifying within one second of the clock (claims are whole seconds), so the leeway is
    measured to the second."""
    issuer = Issuer(jwk(KEY, "k1"))
    keys = issuer.verifier()
    while True:
        second = int(time.time())
        token = sign(exp=second - expired_by)
        try:
            outcome = await verify_access_token(token, keys)
        except InvalidToken as error:
            outcome = error
        if int(time.time()) == second:
            return outcome


async def test_the_leeway_for_clock_skew_is_ten_seconds():
    # The figure itself, not the constant: a test that read tokens.LEEWAY_SECONDS would
    # follow any change of it.
    accepted = await verified_within_one_second(9)
    refused = await verified_within_one_second(10)
    assert isinstance(accepted, Principal)
    assert isinstance(refused, InvalidToken)
    assert str(refused) == "token expired"


async def test_only_rs256_is_accepted():
    issuer = Issuer(jwk(KEY, "k1"))
    for algorithm in ("RS512", "PS256", "RS384"):
        with pytest.raises(InvalidToken, match="unexpected token algorithm"):
            await verify_access_token(sign(algorithm=algorithm), issuer.verifier())


async def test_roles_default_to_none():
    issuer = Issuer(jwk(KEY, "k1"))
    principal = await verify_access_token(sign(roles=None), issuer.verifier())
    assert principal.roles == frozenset()
    assert principal.email == "someone@example.com"


# Sixteen expiries in a row: whatever its last bits, the leeway is added to it (`+ 10`
# into `^ 10` agrees with it on a quarter of them).
@pytest.mark.parametrize("lifetime", range(60, 76))
async def test_a_token_verified_once_is_answered_from_memory_until_it_expires(
    monkeypatch, lifetime
):
    issuer = Issuer(jwk(KEY, "k1"))
    keys = issuer.verifier()
    issued = int(time.time())
    expires = issued + lifetime
    token = sign(exp=expires)
    first = await verify_access_token(token, keys)
    later = issuer.verifier()  # the same token remembered by another replica
    assert await verify_access_token(token, later) == first

    def expired(*_, **__):
        raise jwt.ExpiredSignatureError("Signature has expired")

    monkeypatch.setattr(tokens.jwt, "decode", expired)  # the signature is not checked again
    assert await verify_access_token(token, keys) == first
    # Within the leeway after its expiry still answered; at the leeway's end checked again,
    # and so it is any time after.
    monkeypatch.setattr(tokens.time, "time", lambda: expires + 9.5)
    assert await verify_access_token(token, keys) == first
    monkeypatch.setattr(tokens.time, "time", lambda: expires + 10)
    with pytest.raises(InvalidToken, match="token expired"):
        await verify_access_token(token, keys)
    monkeypatch.setattr(tokens.time, "time", lambda: expires + 3600)
    with pytest.raises(InvalidToken, match="token expired"):
        await verify_access_token(token, later)


async def test_a_remembered_token_of_a_withdrawn_key_is_checked_again_and_refused():
    issuer = Issuer(jwk(KEY, "k1"))
    keys = issuer.verifier()
    token = sign()
    await verify_access_token(token, keys)
    issuer.keys = [jwk(OTHER_KEY, "k2")]  # k1 withdrawn at the issuer, and here
    keys.preload({"keys": issuer.keys})
    with pytest.raises(InvalidToken, match="unknown signing key 'k1'"):
        await verify_access_token(token, keys)


async def test_tokens_remembered_are_bounded_the_oldest_forgotten(monkeypatch):
    monkeypatch.setattr(tokens, "VERIFIED_KEPT", 2)
    issuer = Issuer(jwk(KEY, "k1"))
    keys = issuer.verifier()
    oldest, *newer = [sign(email=f"{n}@example.com") for n in range(3)]
    for token in (oldest, *newer):
        await verify_access_token(token, keys)
    assert keys.verified(oldest) is None
    assert [keys.verified(t).email for t in newer] == ["1@example.com", "2@example.com"]


def test_the_ten_thousand_tokens_verified_last_are_remembered():
    keys = JwksKeys("http://users/jwks.json", client=httpx.AsyncClient())
    keys.preload({"keys": [jwk(KEY, "k1")]})
    principal = Principal(user_id=USER, roles=frozenset({Role.CUSTOMER}))
    expires = time.time() + 3600
    for n in range(KEPT):
        keys.remember(f"token-{n}", principal, expires, "k1")
    assert keys.verified("token-0") == principal  # all ten thousand held
    keys.remember(f"token-{KEPT}", principal, expires, "k1")
    assert keys.verified("token-0") is None  # the oldest forgotten for the newest
    assert keys.verified("token-1") == principal
    assert keys.verified(f"token-{KEPT}") == principal
    keys.remember("token-again", principal, expires, "k1")
    assert keys.verified("token-1") is None  # and so on, one for one: the bound holds
    assert keys.verified("token-2") == principal


async def test_keys_are_fetched_once_then_refetched_for_an_unknown_kid_at_most_every_second(
    clock,
):
    issuer = Issuer(jwk(KEY, "k1"))
    keys = issuer.verifier()
    await verify_access_token(sign(), keys)
    await verify_access_token(sign(), keys)
    assert issuer.fetches == 1
    # The issuer rotates: a token under the new kid makes the verifier fetch again.
    issuer.keys.append(jwk(OTHER_KEY, "k2"))
    clock[0] += REFRESH + 0.01
    assert (await verify_access_token(sign(key=OTHER_KEY, kid="k2"), keys)).user_id == USER
    assert issuer.fetches == 2
    # A flood of unknown kids costs at most one fetch a second.
    for _ in range(3):
        with pytest.raises(InvalidToken, match="unknown signing key"):
            await verify_access_token(sign(kid="k9"), keys)
    assert issuer.fetches == 2
    clock[0] += REFRESH + 0.01
    with pytest.raises(InvalidToken, match="unknown signing key"):
        await verify_access_token(sign(kid="k9"), keys)
    assert issuer.fetches == 3


async def test_a_refetch_is_allowed_again_exactly_a_second_later(clock):
    issuer = Issuer(jwk(KEY, "k1"))
    keys = issuer.verifier()
    await verify_access_token(sign(), keys)
    issuer.keys.append(jwk(OTHER_KEY, "k2"))
    clock[0] += REFRESH
    assert (await verify_access_token(sign(key=OTHER_KEY, kid="k2"), keys)).user_id == USER
    assert issuer.fetches == 2


async def test_a_refetch_within_the_second_waits_its_turn(clock, monkeypatch):
    """A key published just after the last fetch: its first token waits out the rest of the
    second and is verified by the next fetch (refusing it was a false 401 after rotation)."""
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)
        clock[0] += seconds

    monkeypatch.setattr(tokens.asyncio, "sleep", sleep)
    issuer = Issuer(jwk(KEY, "k1"))
    keys = issuer.verifier()
    await verify_access_token(sign(), keys)
    issuer.keys.append(jwk(OTHER_KEY, "k2"))
    clock[0] += REFRESH - 0.25
    assert (await verify_access_token(sign(key=OTHER_KEY, kid="k2"), keys)).user_id == USER
    assert issuer.fetches == 2
    assert sum(waited) == pytest.approx(0.25)  # the rest of the second, no more


async def test_callers_waiting_on_one_fetch_share_it(clock):
    """Ten tokens under an unknown kid at once: one fetch answers them all."""
    issuer = Issuer(jwk(KEY, "k1"))
    keys = issuer.verifier()
    await verify_access_token(sign(), keys)
    issuer.keys.append(jwk(OTHER_KEY, "k2"))
    clock[0] += REFRESH + 0.01
    token = sign(key=OTHER_KEY, kid="k2")
    verified = await asyncio.gather(*(verify_access_token(token, keys) for _ in range(10)))
    assert {p.user_id for p in verified} == {USER}
    assert issuer.fetches == 2


async def test_callers_that_asked_before_a_fetch_began_share_it_on_a_moving_clock(monkeypatch):
    """As above, with a clock that moves at every reading (as a real one does): each caller
    asked before the fetch began, at a time of its own."""
    now = [1000.0]
    pause = asyncio.sleep

    def ticking() -> float:
        now[0] += 0.001
        return now[0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds
        await pause(0)  # a turn for the other callers, as a real sleep gives

    monkeypatch.setattr(tokens.time, "monotonic", ticking)
    monkeypatch.setattr(tokens.asyncio, "sleep", sleep)
    issuer = Issuer(jwk(KEY, "k1"))
    keys = issuer.verifier()
    await verify_access_token(sign(), keys)
    issuer.keys.append(jwk(OTHER_KEY, "k2"))
    now[0] += REFRESH + 0.01
    token = sign(key=OTHER_KEY, kid="k2")
    verified = await asyncio.gather(*(verify_access_token(token, keys) for _ in range(10)))
    assert {p.user_id for p in verified} == {USER}
    assert issuer.fetches == 2


async def test_unavailable_keys_refuse_the_token_and_count_as_a_fetch(clock):
    issuer = Issuer(jwk(KEY, "k1"))
    issuer.status = 503
    keys = issuer.verifier()
    with pytest.raises(InvalidToken, match="signing keys unavailable"):
        await verify_access_token(sign(), keys)
    issuer.status = 200
    with pytest.raises(InvalidToken, match="unknown signing key"):
        await verify_access_token(sign(), keys)  # not refetched within the second
    clock[0] += REFRESH + 0.01
    assert (await verify_access_token(sign(), keys)).user_id == USER
    assert issuer.fetches == 2


async def test_preloaded_keys_verify_without_a_fetch(clock):
    issuer = Issuer()
    keys = issuer.verifier()
    keys.preload({"keys": [jwk(KEY, "k1")]})
    assert (await verify_access_token(sign(), keys)).user_id == USER
    with pytest.raises(InvalidToken, match="unknown signing key"):
        await verify_access_token(sign(key=OTHER_KEY, kid="k2"), keys)
    assert issuer.fetches == 0  # the preload counts as the fetch of this second


def test_staff_are_operators_and_admins():
    def principal(*roles: Role) -> Principal:
        return Principal(user_id=USER, roles=frozenset(roles))

    assert not principal(Role.CUSTOMER).is_staff
    assert not principal(Role.PARTNER).is_staff
    assert principal(Role.OPERATOR).is_staff
    assert principal(Role.ADMIN).is_staff
    assert principal(Role.CUSTOMER, Role.ADMIN).has_any(Role.ADMIN, Role.PARTNER)
    assert not principal().has_any(Role.CUSTOMER)
    with pytest.raises(dataclasses.FrozenInstanceError):
        principal(Role.CUSTOMER).roles = frozenset({Role.ADMIN})  # type: ignore[misc]


def guarded_app(issuer: Issuer) -> FastAPI:
    app = FastAPI()
    problems.install(app)
    app.state.jwks = issuer.verifier()

    @app.get("/anyone-signed-in")
    async def signed_in(principal: PrincipalDep) -> dict:
        return {"user": str(principal.user_id)}

    @app.get("/operators")
    async def operators(principal: OperatorDep) -> dict:
        return {"user": str(principal.user_id)}

    @app.get("/admins")
    async def admins(principal: AdminDep) -> dict:
        return {"user": str(principal.user_id)}

    @app.get("/maybe")
    async def maybe(principal: OptionalPrincipalDep) -> dict:
        return {"user": str(principal.user_id) if principal else None}

    return app


ROUTES = ("/anyone-signed-in", "/operators", "/admins", "/maybe")


@pytest.mark.parametrize(
    ("roles", "statuses"),
    [
        (None, (401, 401, 401, 200)),
        (["customer"], (200, 403, 403, 200)),
        (["partner"], (200, 403, 403, 200)),
        (["operator"], (200, 200, 403, 200)),
        (["admin"], (200, 200, 200, 200)),
    ],
    ids=["anonymous", "customer", "partner", "operator-only", "admin-only"],
)
async def test_each_role_reaches_exactly_its_routes(roles, statuses):
    app = guarded_app(Issuer(jwk(KEY, "k1")))
    headers = {} if roles is None else {"Authorization": f"Bearer {sign(roles=roles)}"}
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        answers = [await client.get(route, headers=headers) for route in ROUTES]
    assert tuple(a.status_code for a in answers) == statuses
    for answer in answers:
        if answer.status_code == 200 and answer.request.url.path != "/maybe":
            assert answer.json() == {"user": str(USER)}
        if answer.status_code == 403:
            wanted = "operator or admin" if answer.request.url.path == "/operators" else "admin"
            assert answer.json()["detail"] == f"This action needs the {wanted} role."
    assert answers[3].json() == {"user": None if roles is None else str(USER)}


@pytest.mark.parametrize("authorization", [f"Bearer {sign(typ='refresh')}", "Bearer nonsense"])
async def test_a_bad_bearer_token_is_401_even_where_a_token_is_optional(authorization):
    app = guarded_app(Issuer(jwk(KEY, "k1")))
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        answers = [
            await client.get(route, headers={"Authorization": authorization}) for route in ROUTES
        ]
    assert [a.status_code for a in answers] == [401] * len(ROUTES)
    assert {a.headers["content-type"] for a in answers} == {"application/problem+json"}


async def test_another_scheme_is_no_token_at_all():
    """`Basic ...` is not a bearer token: 401 where one is needed, anonymous where not."""
    app = guarded_app(Issuer(jwk(KEY, "k1")))
    transport = httpx.ASGITransport(app)
    headers = {"Authorization": f"Basic {sign()}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        answers = [await client.get(route, headers=headers) for route in ROUTES]
    assert [a.status_code for a in answers] == [401, 401, 401, 200]
    assert answers[0].json()["detail"] == "A bearer access token is required."
    assert answers[3].json() == {"user": None}


def test_the_openapi_document_says_an_optional_token_is_optional():
    schema = optional_auth_in_openapi(guarded_app(Issuer()).openapi())
    security = {path: ops["get"].get("security") for path, ops in schema["paths"].items()}
    assert security["/maybe"] == [{}, {"HTTPBearer": []}]
    assert security["/operators"] == [{"HTTPBearer": []}]
    assert set(schema["components"]["securitySchemes"]) == {"HTTPBearer"}
