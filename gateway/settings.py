"""Gateway settings: environment variables prefixed `GATEWAY_`, with dev defaults."""

from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveFloat, PositiveInt
from pydantic_settings import SettingsConfigDict

from chassis.ratelimit import RateLimit
from chassis.settings import ServiceSettings
from contracts.manifest import SERVICES

DEV_UPSTREAMS = {service.name: f"http://127.0.0.1:{service.port}" for service in SERVICES}


DEFAULT_RATE_LIMITS = {
    "auth": RateLimit(limit=30, window=60),
    "public": RateLimit(limit=600, window=60),
    "default": RateLimit(limit=600, window=60),
    "partner": RateLimit(limit=1200, window=60),
}


class GatewaySettings(ServiceSettings):
    """Shared variables keep their names (`FLYWHEEL_JWKS_URL`, `REDIS_URL`, `DATABASE_URL`);
    the gateway's own take the `GATEWAY_` prefix, e.g. `GATEWAY_UPSTREAMS` (a JSON object)."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    upstreams: dict[str, str] = Field(default_factory=lambda: dict(DEV_UPSTREAMS))
    rate_limits: dict[str, RateLimit] = Field(default_factory=lambda: dict(DEFAULT_RATE_LIMITS))
    cors_origins: list[str] = Field(default_factory=list)
    # How many proxies (load balancer, ingress) stand in front of the gateway and append to
    # X-Forwarded-For; 0 means the TCP peer is the client and incoming X-Forwarded-* is ignored.
    trusted_proxy_hops: int = Field(default=0, ge=0)
    max_body_bytes: PositiveInt = 1024 * 1024
    max_header_bytes: PositiveInt = 16 * 1024
    max_header_count: PositiveInt = 100
    connect_timeout: PositiveFloat = 1.0
    upstream_max_connections: PositiveInt = 256
    # Idle pooled connections are dropped before the services drop them (uvicorn: after 5 s),
    # so a request never goes out on a connection the upstream is closing.
    upstream_keepalive_seconds: PositiveFloat = 4.0
    breaker_failures: PositiveInt = 5
    breaker_open_seconds: PositiveFloat = 5.0
    partner_cache_seconds: float = Field(default=10.0, ge=0)
    openapi_refresh_seconds: PositiveFloat = 60.0
    hsts_seconds: int = Field(default=63_072_000, ge=0)
    # "problems": log requests answered with 4xx/5xx or slower than slow_request_ms (the
    # services log every request themselves); "all": log every request here too.
    access_log: Literal["problems", "all"] = "problems"
    slow_request_ms: PositiveFloat = 1000.0
    console_dir: Path | None = Field(
        default=None,
        description="The ops console's files, served at /console; unset: the repository's "
        "`console/` (the image sets `/app/console`)",
    )
