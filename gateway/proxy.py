"""Forwarding routed requests upstream: admission, rate limit, streaming both ways, one retry,
circuit breaking, and the problem each upstream failure becomes."""

import logging
import math
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from yarl import URL

from chassis.http.problems import Problem, Unauthorized
from chassis.ids import new_id
from chassis.logs import current_request_id
from chassis.ratelimit import TooManyRequests
from gateway import metrics, ratelimit
from gateway.access import Caller, CallerKind
from gateway.credentials import Gatekeeper
from gateway.forwarding import Incoming, client_chain, downstream_headers, upstream_headers
from gateway.problems import (
    BadGateway,
    GatewayTimeout,
    UnsafePath,
    UpstreamUnavailable,
    send_problem,
)
from gateway.ratelimit import LocalLimiter, RedisLimiter
from gateway.routes import API_PREFIX, BadPath, Route, RoutingTable, checked_path
from gateway.settings import GatewaySettings
from gateway.upstreams import Upstream

log = logging.getLogger(__name__)

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Bodies up to this size are read before sending (so an idempotent request can be retried)
# and responses up to it are read whole (so a failure mid-body still becomes a problem).
BUFFERED = 64 * 1024
# The connection failed or dropped before an answer: an idempotent request may go again.
RETRYABLE = (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError)


class ClientDisconnected(Exception):
    """The client went away while sending its request body."""


class Proxy:
    """ASGI middleware: a path the routing table matches goes upstream; any other path goes
    to the gateway's own app (its routes, or a 404 problem)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        table: RoutingTable,
        upstreams: Mapping[str, Upstream],
        gatekeeper: Gatekeeper,
        limiter: LocalLimiter | RedisLimiter,
        settings: GatewaySettings,
    ) -> None:
        self.app = app
        self.table = table
        self.upstreams = upstreams
        self.gatekeeper = gatekeeper
        self.limiter = limiter
        self.limits = settings.rate_limits
        self.trusted_hops = settings.trusted_proxy_hops
        self._counters: dict[tuple[Route, str, int], Any] = {}
        self.connect_timeout = settings.connect_timeout
        self._timeouts: dict[tuple[float | None, float], aiohttp.ClientTimeout] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        try:
            path = checked_path(scope.get("raw_path") or scope["path"].encode())
        except BadPath as error:
            await send_problem(UnsafePath(str(error)), scope, receive, send)
            return
        route = self.table.match(scope["method"], path)
        if route is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = route
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            status = await self._serve(route, path, scope, receive, tracked)
        except Exception:
            # No FastAPI error middleware stands outside the proxy (see gateway.app).
            log.exception("forwarding %s %s failed", scope["method"], path)
            if started:
                raise
            status = await send_problem(
                Problem("An unexpected error occurred."), scope, receive, send
            )
        self._count(route, scope["method"], status)

    def _timeout(self, route: Route) -> aiohttp.ClientTimeout:
        """`connect` covers waiting for a pooled connection too; `sock_read` is the route's
        timeout for each read, the first one (the response head) included."""
        key = (route.connect_timeout, route.timeout)
        timeout = self._timeouts.get(key)
        if timeout is None:
            timeout = self._timeouts[key] = aiohttp.ClientTimeout(
                connect=route.connect_timeout or self.connect_timeout, sock_read=route.timeout
            )
        return timeout

    def _count(self, route: Route, method: str, status: int) -> None:
        """Count the request; the labelled counters are kept, as labelling costs a lock."""
        key = (route, method, status)
        counter = self._counters.get(key)
        if counter is None:
            labels = (route.prefix, route.upstream, method, str(status))
            counter = self._counters[key] = metrics.requests.labels(*labels)
        counter.inc()

    async def _serve(
        self, route: Route, path: str, scope: Scope, receive: Receive, send: Send
    ) -> int:
        incoming = Incoming.read(scope["headers"])
        peer = scope["client"][0] if scope.get("client") else "unknown"
        chain = client_chain(peer, incoming.forwarded_for, self.trusted_hops)
        try:
            try:
                caller = await self.gatekeeper.admit(
                    route, scope["method"], path, incoming, chain[0]
                )
            except Unauthorized:
                # Failed attempts spend the address's budget: guessing credentials is limited too.
                await self._spend(route, f"anonymous:{chain[0]}")
                raise
            quota = await self._spend(route, caller.bucket)
            return await self._forward(route, scope, receive, send, incoming, chain, caller, quota)
        except Problem as problem:
            return await send_problem(problem, scope, receive, send)
        except ClientDisconnected:
            return 499

    async def _spend(self, route: Route, bucket: str) -> list[tuple[bytes, bytes]]:
        """Take a token from the bucket; the RateLimit headers to send, or 429."""
        limit = self.limits[route.rate_class]
        decision = await self.limiter.take(route.rate_class, bucket)
        quota = ratelimit.headers(route.rate_class, limit, decision)
        if not decision.allowed:
            metrics.rate_limited.labels(route.rate_class).inc()
            raise TooManyRequests(
                f"Too many requests to {route.rate_class!r} routes; "
                f"retry in {max(1, math.ceil(decision.retry_after))} s.",
                headers={name.decode(): value.decode() for name, value in quota},
            )
        return quota

    async def _forward(
        self,
        route: Route,
        scope: Scope,
        receive: Receive,
        send: Send,
        incoming: Incoming,
        chain: list[str],
        caller: Caller,
        quota: list[tuple[bytes, bytes]],
    ) -> int:
        upstream = self.upstreams[route.upstream]
        if not upstream.breaker.allow():
            metrics.upstream_failures.labels(upstream.name, "circuit_open").inc()
            retry_after = max(1, math.ceil(upstream.breaker.retry_after()))
            raise UpstreamUnavailable(
                f"The {upstream.name} service is unavailable; retry in {retry_after} s.",
                upstream=upstream.name,
                headers={"Retry-After": str(retry_after)},
            )
        method = scope["method"]
        body = await RequestBody.of(incoming, receive)
        target = upstream.base_url + scope["raw_path"].decode("ascii")
        if scope["query_string"]:
            target += "?" + scope["query_string"].decode("latin-1")
        headers = upstream_headers(
            scope["headers"],
            incoming,
            chain=chain,
            scheme=scope["scheme"],
            request_id=current_request_id.get() or new_id().hex,
            trusted_hops=self.trusted_hops,
            partner_id=caller.id if caller.kind is CallerKind.PARTNER else None,
        )
        started = time.perf_counter()
        retry = method in IDEMPOTENT and body.replayable
        response = None
        for attempt in (1, 2):
            try:
                response = await upstream.session.request(
                    method,
                    URL(target, encoded=True),  # the path goes on exactly as it was checked
                    headers=headers,
                    data=body.payload,
                    allow_redirects=False,
                    timeout=self._timeout(route),
                )
                break
            except RETRYABLE as error:
                if attempt == 2 or not retry or body.failure:
                    raise _failure(upstream, route, body, error) from None
                metrics.retries.labels(upstream.name).inc()
            except (aiohttp.ClientError, TimeoutError) as error:
                raise _failure(upstream, route, body, error) from None
        upstream.breaker.record_success()
        upstream.latency.observe(time.perf_counter() - started)
        try:
            await self._relay(upstream, route, response, send, quota)
        finally:
            response.release()
        return response.status

    async def _relay(
        self,
        upstream: Upstream,
        route: Route,
        response: aiohttp.ClientResponse,
        send: Send,
        quota: list[tuple[bytes, bytes]],
    ) -> None:
        start = {
            "type": "http.response.start",
            "status": response.status,
            "headers": downstream_headers(list(response.raw_headers)) + quota,
        }
        length = response.content_length
        if length is not None and length <= BUFFERED:
            try:
                content = await response.read()
            except (aiohttp.ClientError, TimeoutError) as error:
                raise _upstream_problem(upstream, route, error) from None
            await send(start)
            await send({"type": "http.response.body", "body": content})
            return
        await send(start)
        async for chunk in response.content.iter_any():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


def _failure(upstream: Upstream, route: Route, body: "RequestBody", error: Exception) -> Exception:
    """What the client gets for a request that failed on its way upstream: the body's own
    failure (too large, client gone) if it had one, else an upstream problem."""
    return body.failure or _upstream_problem(upstream, route, error)


def _upstream_problem(upstream: Upstream, route: Route, error: Exception) -> Problem:
    """Count an upstream failure and name the problem the client gets for it."""
    upstream.breaker.record_failure()
    name = upstream.name
    if isinstance(error, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        metrics.upstream_failures.labels(name, "unreachable").inc()
        retry_after = math.ceil(upstream.breaker.retry_after())
        return UpstreamUnavailable(
            f"The {name} service is unavailable.",
            upstream=name,
            headers={"Retry-After": str(retry_after)} if retry_after else None,
        )
    if isinstance(error, TimeoutError):
        metrics.upstream_failures.labels(name, "timeout").inc()
        return GatewayTimeout(
            f"The {name} service did not answer within {route.timeout:g} s.", upstream=name
        )
    metrics.upstream_failures.labels(name, "broken").inc()
    return BadGateway(f"The {name} service broke off the connection.", upstream=name)


class RequestBody:
    """The client's request body on its way upstream: small ones read whole (so a retry can
    send them again), larger or chunked ones streamed. A streamed body that fails (too large,
    client gone) remembers why, since aiohttp reports it only as a broken connection."""

    def __init__(self, payload: bytes | AsyncIterator[bytes] | None) -> None:
        self.payload = payload
        self.failure: Exception | None = None

    @property
    def replayable(self) -> bool:
        return not isinstance(self.payload, AsyncIterator)

    @classmethod
    async def of(cls, incoming: Incoming, receive: Receive) -> "RequestBody":
        if not incoming.has_body:
            return cls(None)
        length = incoming.content_length
        declared = incoming.transfer_encoding is None and length and length.isdigit()
        if declared and int(length) <= BUFFERED:
            return cls(b"".join([chunk async for chunk in _stream(receive)]))
        body = cls(None)
        body.payload = body._watched(_stream(receive))
        return body

    async def _watched(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        try:
            async for chunk in chunks:
                yield chunk
        except (Problem, ClientDisconnected) as error:
            self.failure = error
            raise


async def _stream(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        if chunk := message.get("body"):
            yield chunk
        if not message.get("more_body", False):
            return
