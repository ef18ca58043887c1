"""What a request carries upstream and a response carries back: hop-by-hop headers out,
`X-Forwarded-*`, `X-Request-ID` and W3C `traceparent` in, internal headers never from
clients."""

import os
import re
from dataclasses import dataclass

from chassis import tracing

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
# Only the gateway sets these upstream; a client's copy is dropped, never passed on.
GATEWAY_SET = frozenset(
    {
        b"host",
        b"forwarded",
        b"x-forwarded-for",
        b"x-forwarded-host",
        b"x-forwarded-proto",
        b"x-forwarded-port",
        b"x-forwarded-prefix",
        b"x-real-ip",
        b"x-request-id",
        b"traceparent",
        b"tracestate",
        b"x-api-key",
        b"expect",
    }
)
# Headers upstreams trust because only the gateway can set them (X-Flywheel-Partner, ...).
INTERNAL_PREFIX = b"x-flywheel-"
PARTNER_HEADER = "x-flywheel-partner"
# The gateway's server adds its own date, server and request id to every response.
NOT_FROM_UPSTREAM = HOP_BY_HOP | {b"server", b"date", b"x-request-id"}

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_HOST = re.compile(r"^[A-Za-z0-9.\-]{1,253}(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:[0-9]{1,5})?$")
_ZERO_TRACE, _ZERO_SPAN = "0" * 32, "0" * 16


@dataclass
class Incoming:
    """The request headers the gateway reads, found in one pass."""

    authorization: str | None = None
    api_key: str | None = None
    content_length: str | None = None
    transfer_encoding: str | None = None
    host: str | None = None
    forwarded_for: str | None = None
    forwarded_proto: str | None = None
    forwarded_host: str | None = None
    traceparent: str | None = None
    tracestate: str | None = None

    @classmethod
    def read(cls, headers: list[tuple[bytes, bytes]]) -> "Incoming":
        found = cls()
        for name, value in headers:
            attribute = _READ.get(name)
            if attribute is not None:
                setattr(found, attribute, value.decode("latin-1"))
        return found

    @property
    def has_body(self) -> bool:
        return self.transfer_encoding is not None or self.content_length not in (None, "0")


_READ = {
    b"authorization": "authorization",
    b"x-api-key": "api_key",
    b"content-length": "content_length",
    b"transfer-encoding": "transfer_encoding",
    b"host": "host",
    b"x-forwarded-for": "forwarded_for",
    b"x-forwarded-proto": "forwarded_proto",
    b"x-forwarded-host": "forwarded_host",
    b"traceparent": "traceparent",
    b"tracestate": "tracestate",
}


def client_chain(peer: str, forwarded_for: str | None, trusted_hops: int) -> list[str]:
    """The addresses from the client to the gateway's peer that can be trusted: the client
    first. With `trusted_hops` proxies in front, the client is the entry that many places
    before the peer in X-Forwarded-For; anything a client wrote before that is ignored."""
    if not trusted_hops or not forwarded_for:
        return [peer]
    chain = [*(a.strip() for a in forwarded_for.split(",")), peer]
    return chain[max(0, len(chain) - 1 - trusted_hops) :]


def next_traceparent(incoming: str | None) -> tuple[str, bool]:
    """The `traceparent` to send upstream, and whether it continues the client's trace.

    The gateway is a hop of the trace: it keeps the trace id and flags and puts its own span
    id as parent. A missing or invalid header starts a new, sampled trace."""
    match = _TRACEPARENT.match(incoming) if incoming else None
    if match and match.group(1) != _ZERO_TRACE and match.group(2) != _ZERO_SPAN:
        return f"00-{match.group(1)}-{os.urandom(8).hex()}-{match.group(3)}", True
    return f"00-{os.urandom(16).hex()}-{os.urandom(8).hex()}-01", False


def upstream_headers(
    headers: list[tuple[bytes, bytes]],
    incoming: Incoming,
    *,
    chain: list[str],
    scheme: str,
    request_id: str,
    trusted_hops: int,
    partner_id: str | None = None,
) -> list[tuple[str, str]]:
    """The headers to send upstream: the client's, less hop-by-hop, gateway-set and internal
    ones, plus the gateway's own."""
    dropped = _connection_named(headers)
    forwarded = [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, value in headers
        if name not in HOP_BY_HOP
        and name not in GATEWAY_SET
        and name not in dropped
        and not name.startswith(INTERNAL_PREFIX)
    ]
    proto, host = scheme, incoming.host
    if trusted_hops:
        proto = incoming.forwarded_proto or proto
        host = incoming.forwarded_host or host
    # With tracing on, the gateway's own span is the parent; off, a hop of the trace anyway.
    traced = tracing.current_traceparent()
    traceparent, continued = (traced, True) if traced else next_traceparent(incoming.traceparent)
    forwarded += [
        ("x-forwarded-for", ", ".join(chain)),
        ("x-forwarded-proto", "https" if proto == "https" else "http"),
        ("x-request-id", request_id),
        ("traceparent", traceparent),
    ]
    if host and _HOST.match(host):
        forwarded.append(("x-forwarded-host", host))
    if continued and incoming.tracestate:
        forwarded.append(("tracestate", incoming.tracestate))
    if partner_id:
        forwarded.append((PARTNER_HEADER, partner_id))
    return forwarded


def downstream_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The upstream response's headers to pass to the client."""
    lowered = [(name.lower(), value) for name, value in headers]
    dropped = _connection_named(lowered)
    return [
        (name, value)
        for name, value in lowered
        if name not in NOT_FROM_UPSTREAM and name not in dropped
    ]


def _connection_named(headers: list[tuple[bytes, bytes]]) -> set[bytes]:
    """Header names listed in `Connection`, which are hop-by-hop too (RFC 9110 §7.6.1)."""
    named: set[bytes] = set()
    for name, value in headers:
        if name == b"connection":
            named.update(token.strip().lower() for token in value.split(b","))
    return named
