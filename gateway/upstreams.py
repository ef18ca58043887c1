"""The upstream services: one pooled aiohttp session and one circuit breaker each."""

import asyncio
from dataclasses import dataclass, field

import aiohttp
from prometheus_client import Histogram

from gateway import metrics
from gateway.breaker import BreakerState, CircuitBreaker
from gateway.settings import GatewaySettings

PROBE_TIMEOUT = aiohttp.ClientTimeout(total=1.0)
_GAUGE = {BreakerState.CLOSED: 0.0, BreakerState.HALF_OPEN: 0.5, BreakerState.OPEN: 1.0}


@dataclass
class Upstream:
    """A pool per upstream is a bulkhead: a hanging service holds only its own connections."""

    name: str
    base_url: str
    breaker: CircuitBreaker
    max_connections: int
    keepalive_seconds: float
    session: aiohttp.ClientSession = field(init=False)
    latency: Histogram = field(init=False)

    def __post_init__(self) -> None:
        self.latency = metrics.upstream_latency.labels(self.name)

    async def open(self) -> None:
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=self.max_connections,
                limit_per_host=0,
                keepalive_timeout=self.keepalive_seconds,
            ),
            auto_decompress=False,  # bodies pass through as the upstream encoded them
            cookie_jar=aiohttp.DummyCookieJar(),  # one client's cookies never reach another
            # Only the client's own headers go upstream, not aiohttp's defaults.
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
            trust_env=False,  # never route service traffic through an environment proxy
        )

    async def close(self) -> None:
        await self.session.close()

    async def probe(self) -> str:
        """'up' if the service is ready, 'degraded: broker down' if it serves without some
        dependency (writes queue in its outbox), else what is wrong with it ('not ready:
        database down', 'down: no answer')."""
        try:
            async with self.session.get(
                f"{self.base_url}/readyz", timeout=PROBE_TIMEOUT
            ) as response:
                status = response.status
                body = await response.json(content_type=None) if status in (200, 503) else None
        except TimeoutError:
            return "down: no answer"
        except (aiohttp.ClientError, ValueError) as error:
            return f"down: {type(error).__name__}"
        failing = ""
        if isinstance(body, dict) and isinstance(body.get("checks"), dict):
            checks = body["checks"].items()
            failing = ", ".join(f"{name} {state}" for name, state in checks if state != "ok")
        if status == 200:
            return f"degraded: {failing}" if body and body.get("status") == "degraded" else "up"
        if status == 503 and isinstance(body, dict):
            return f"not ready: {failing or 'see its /readyz'}"
        return f"down: status {status}"


def configure(settings: GatewaySettings) -> dict[str, Upstream]:
    """The upstreams of the settings; their sessions open with `open_all` in the lifespan."""
    pools = {}
    for name, url in settings.upstreams.items():
        gauge = metrics.breaker_state.labels(name)
        gauge.set(0.0)
        pools[name] = Upstream(
            name=name,
            base_url=url.rstrip("/"),
            max_connections=settings.upstream_max_connections,
            keepalive_seconds=settings.upstream_keepalive_seconds,
            breaker=CircuitBreaker(
                failures=settings.breaker_failures,
                open_seconds=settings.breaker_open_seconds,
                on_change=lambda state, gauge=gauge: gauge.set(_GAUGE[state]),
            ),
        )
    return pools


async def open_all(pools: dict[str, Upstream]) -> None:
    await asyncio.gather(*(pool.open() for pool in pools.values()))


async def close_all(pools: dict[str, Upstream]) -> None:
    await asyncio.gather(*(pool.close() for pool in pools.values()))
