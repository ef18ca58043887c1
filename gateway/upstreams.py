"""The upstream services: one connection pool and one circuit breaker each."""

import asyncio
from dataclasses import dataclass

import httpx

from gateway import metrics
from gateway.breaker import BreakerState, CircuitBreaker
from gateway.settings import GatewaySettings

PROBE_TIMEOUT = 1.0
_GAUGE = {BreakerState.CLOSED: 0.0, BreakerState.HALF_OPEN: 0.5, BreakerState.OPEN: 1.0}


@dataclass
class Upstream:
    """A pool per upstream is a bulkhead: a hanging service holds only its own connections."""

    name: str
    base_url: str
    client: httpx.AsyncClient
    breaker: CircuitBreaker

    async def probe(self) -> str:
        """'up' if the service answers its liveness probe, else why not."""
        try:
            response = await self.client.get(f"{self.base_url}/healthz", timeout=PROBE_TIMEOUT)
        except httpx.TimeoutException:
            return "down: no answer"
        except httpx.TransportError as error:
            return f"down: {type(error).__name__}"
        return "up" if response.status_code == 200 else f"down: status {response.status_code}"


def connect(settings: GatewaySettings) -> dict[str, Upstream]:
    pools = {}
    for name, url in settings.upstreams.items():
        gauge = metrics.breaker_state.labels(name)
        gauge.set(0.0)
        pools[name] = Upstream(
            name=name,
            base_url=url.rstrip("/"),
            client=httpx.AsyncClient(
                limits=httpx.Limits(
                    max_connections=settings.upstream_max_connections,
                    max_keepalive_connections=settings.upstream_max_connections,
                    keepalive_expiry=30.0,
                ),
                timeout=httpx.Timeout(5.0, connect=settings.connect_timeout),
                follow_redirects=False,
                trust_env=False,  # never route service traffic through an environment proxy
            ),
            breaker=CircuitBreaker(
                failures=settings.breaker_failures,
                open_seconds=settings.breaker_open_seconds,
                on_change=lambda state, gauge=gauge: gauge.set(_GAUGE[state]),
            ),
        )
    return pools


async def close(pools: dict[str, Upstream]) -> None:
    await asyncio.gather(*(pool.client.aclose() for pool in pools.values()))
