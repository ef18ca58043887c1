"""Access-token verification against a JWKS that is cached and refreshed on unknown `kid`."""

import asyncio
import time
from uuid import UUID

import httpx
import jwt

from chassis.auth.principal import Principal, Role

ISSUER = "flywheel-users"
AUDIENCE = "flywheel"
ALGORITHM = "RS256"
LEEWAY_SECONDS = 10
REFRESH_AT_MOST_EVERY = 1.0
# Tokens verified lately, answered without verifying the signature again until they expire:
# a customer's burst (a flash sale's opening second) repeats one token many times, and an
# RS256 check costs more than the rest of a hot route.
VERIFIED_KEPT = 10_000


class InvalidToken(Exception):
    """The token is malformed, expired, wrongly signed or not an access token."""


class JwksKeys:
    """The verification keys published by the users service, fetched lazily.

    A token signed with a `kid` we have not seen triggers one refetch, so a key rotation at
    the issuer is picked up without a restart. Fetches are at most a second apart: a token
    under a key newer than the last fetch waits for the next one (rather than being refused
    for having come too soon after it), and every caller that asked before a fetch began
    takes its answer, so a flood of unknown kids still costs one fetch a second.
    """

    # Equivalent mutants, marked for `make mutants`: `*` into `/` (a keyword-only argument
    # made positional-or-keyword) and any other few seconds of timeout change no behaviour;
    # the first fetch happens whatever the initial `_fetched_at`, as the monotonic clock
    # is far past REFRESH_AT_MOST_EVERY by the time a service verifies a token.
    def __init__(
        self,
        url: str,
        *,  # pragma: no mutate
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = url
        self._client = client or httpx.AsyncClient(timeout=3.0)  # pragma: no mutate
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0  # pragma: no mutate
        self._lock = asyncio.Lock()
        # token → (principal, exp, kid): a token verified before, until it expires, while the
        # key that signed it is still published (a withdrawn key's tokens are checked again,
        # and refused, as soon as the keys held here no longer list it).
        self._verified: dict[str, tuple[Principal, float, str]] = {}

    def verified(self, token: str) -> Principal | None:
        """The principal of a token verified before, not expired since (with the leeway the
        signature check allows) and signed by a key still held."""
        known = self._verified.get(token)
        if known is None:
            return None
        if time.time() >= known[1] + LEEWAY_SECONDS or known[2] not in self._keys:
            del self._verified[token]
            return None
        return known[0]

    def remember(self, token: str, principal: Principal, expires: float, kid: str) -> None:
        # `>=` into `==` is equivalent (make mutants): one token is added at a time, so the
        # count reaches the bound and never passes it. (`is`, which compares a count of
        # 10,000 as an object, is not: test_the_ten_thousand_tokens_verified_last_are_remembered.)
        if len(self._verified) >= VERIFIED_KEPT:  # pragma: no mutate (`==` is the same, above)
            del self._verified[next(iter(self._verified))]  # the oldest goes
        self._verified[token] = (principal, expires, kid)

    async def key(self, kid: str) -> jwt.PyJWK:
        if kid not in self._keys:
            await self._refresh(asked_at=time.monotonic())
        try:
            return self._keys[kid]
        except KeyError:
            raise InvalidToken(f"unknown signing key {kid!r}") from None

    async def _refresh(self, asked_at: float) -> None:
        async with self._lock:
            if self._fetched_at >= asked_at:
                return  # a fetch begun since this caller asked holds what there is
            wait = self._fetched_at + REFRESH_AT_MOST_EVERY - time.monotonic()
            await asyncio.sleep(max(0.0, wait))
            self._fetched_at = time.monotonic()
            try:
                response = await self._client.get(self.url)
                response.raise_for_status()
                keys = jwt.PyJWKSet.from_dict(response.json()).keys
            except (httpx.HTTPError, jwt.PyJWTError, ValueError) as error:
                raise InvalidToken(f"signing keys unavailable: {error}") from error
            self._keys = {k.key_id: k for k in keys if k.key_id}

    def preload(self, jwks: dict) -> None:
        """Use keys already at hand (the issuer itself verifies with its own keys)."""
        self._keys = {k.key_id: k for k in jwt.PyJWKSet.from_dict(jwks).keys if k.key_id}
        self._fetched_at = time.monotonic()

    async def aclose(self) -> None:
        await self._client.aclose()


async def verify_access_token(token: str, keys: JwksKeys) -> Principal:
    known = keys.verified(token)
    if known is not None:
        return known
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise InvalidToken("malformed token") from error
    if header.get("alg") != ALGORITHM or not header.get("kid"):
        raise InvalidToken("unexpected token algorithm or missing key id")
    key = await keys.key(header["kid"])
    try:
        claims = jwt.decode(
            token,
            key.key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise InvalidToken("token expired") from error
    except jwt.PyJWTError as error:
        raise InvalidToken(f"invalid token: {error}") from error
    if claims.get("typ") != "access":
        raise InvalidToken("not an access token")
    try:
        roles = frozenset(Role(r) for r in claims.get("roles", []))
    except ValueError as error:
        raise InvalidToken("unknown role in token") from error
    try:
        user_id = UUID(claims["sub"])
    except (ValueError, TypeError, AttributeError) as error:
        raise InvalidToken("the token's subject is not a user id") from error
    principal = Principal(user_id=user_id, roles=roles, email=claims.get("email"))
    keys.remember(token, principal, claims["exp"], header["kid"])
    return principal
