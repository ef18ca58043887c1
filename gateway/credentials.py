"""Credentials at the edge: bearer tokens checked against the users service's JWKS, and
partner API keys."""

import time
from collections.abc import Callable

import jwt

from chassis.auth.access import Access
from chassis.auth.principal import Principal
from chassis.auth.tokens import InvalidToken, JwksKeys, verify_access_token
from chassis.http.problems import BadRequest, Forbidden, Problem, Unauthorized
from gateway.access import Caller, CallerKind, admits
from gateway.forwarding import Incoming
from gateway.partners import KeyDirectory
from gateway.routes import Route


class VerifiedTokens:
    """Tokens verified lately, so a busy caller's token costs one RS256 check, not one per
    request. An entry lives until the token expires, and at most `ttl` seconds: a signing
    key withdrawn from the JWKS stops working at the edge within `ttl` (the services check
    every token themselves too)."""

    def __init__(
        self,
        keys: JwksKeys,
        *,
        ttl: float = 30.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.keys = keys
        self.ttl = ttl
        self._max_entries = max_entries
        self._clock = clock
        self._entries: dict[str, tuple[Principal, float]] = {}

    async def verify(self, token: str) -> Principal:
        now = self._clock()
        cached = self._entries.get(token)
        if cached is not None and now < cached[1]:
            return cached[0]
        principal = await verify_access_token(token, self.keys)
        expires = jwt.decode(token, options={"verify_signature": False})["exp"]
        if len(self._entries) >= self._max_entries:
            for stale in list(self._entries)[: self._max_entries // 2]:
                del self._entries[stale]
        self._entries[token] = (principal, min(float(expires), now + self.ttl))
        return principal


class Gatekeeper:
    def __init__(self, tokens: VerifiedTokens, directory: KeyDirectory) -> None:
        self.tokens = tokens
        self.directory = directory

    async def admit(
        self, route: Route, method: str, path: str, incoming: Incoming, client: str
    ) -> Caller:
        """The caller of a request the route admits; otherwise 401 (no valid credentials)
        or 403 (valid, but not allowed here). On public routes credentials are optional:
        valid ones only choose the caller's rate-limit bucket, others are ignored."""
        try:
            caller = await self._identify(incoming, client)
        except Problem:
            if route.policy is Access.PUBLIC:
                return Caller(CallerKind.ANONYMOUS, client)
            raise
        if admits(route, caller, method, path):
            return caller
        if caller.kind is CallerKind.ANONYMOUS:
            raise Unauthorized("This route needs a bearer access token or a partner API key.")
        if caller.kind is CallerKind.PARTNER and route.policy in (Access.CUSTOMER, Access.PARTNER):
            raise Forbidden("This API key is not scoped to this route.")
        if caller.kind is CallerKind.PARTNER:
            raise Forbidden("Partner API keys cannot call this route.")
        raise Forbidden(f"This route needs the {route.policy} role.")

    async def _identify(self, incoming: Incoming, client: str) -> Caller:
        if incoming.authorization is not None and incoming.api_key is not None:
            raise BadRequest("Send a bearer token or an API key, not both.")
        if incoming.api_key is not None:
            identity = await self.directory.identify(incoming.api_key)
            if identity is None:
                raise Unauthorized("Unknown, expired or revoked API key.")
            return Caller(CallerKind.PARTNER, identity.partner_id, scopes=identity.scopes)
        if incoming.authorization is not None:
            scheme, _, token = incoming.authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("The Authorization header must be 'Bearer <access token>'.")
            try:
                return Caller.user(await self.tokens.verify(token.strip()))
            except InvalidToken as error:
                raise Unauthorized(f"Invalid access token: {error}.") from None
        return Caller(CallerKind.ANONYMOUS, client)
