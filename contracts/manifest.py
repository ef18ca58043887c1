"""The services of the platform, declared once.

The local launcher, the gateway's upstream defaults, the migrations command, compose and the
deployment files read this list or are checked against it by a test: adding a service is one
entry here (and its contract module beside this one).
"""

from collections.abc import Callable
from dataclasses import dataclass

from chassis.events.registry import registry


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port: int  # development port on 127.0.0.1 (the gateway listens on GATEWAY_PORT)
    summary: str
    # The services it calls over HTTP (beyond users' signing keys, which every service
    # reads): each is a setting `<callee>_url`, which every launcher wires to the callee.
    calls: tuple[str, ...] = ()

    @property
    def package(self) -> str:
        return f"services.{self.name}"

    @property
    def app(self) -> str:
        """The app factory, as uvicorn's `--factory` takes it."""
        return f"{self.package}.app:create_app"

    @property
    def database(self) -> str:
        """The database name under a shared server (`<DATABASE_URL name>_<service>`)."""
        return self.name

    @property
    def env_prefix(self) -> str:
        return f"{self.name.upper()}_"

    def url_settings(self, url_of: Callable[[str], str]) -> dict[str, str]:
        """The environment that points it at the services it calls, each at `url_of(name)`."""
        return {f"{self.env_prefix}{callee.upper()}_URL": url_of(callee) for callee in self.calls}

    def topics(self) -> list[str]:
        """The topics it publishes on (load the contracts first)."""
        return sorted({spec.topic for spec in registry.all() if spec.service == self.name})


GATEWAY_PORT = 8000
SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("users", 8001, "accounts, auth, profiles, lifecycle, segments, points"),
    ServiceSpec("catalog", 8002, "categories, products, prices, listing, inventory"),
    ServiceSpec("content", 8003, "articles, posts, videos, live, reviews, feeds"),
    ServiceSpec("campaigns", 8004, "calendar, coupons, flash sales, group buys, lotteries"),
    ServiceSpec("analytics", 8005, "behaviour collection, event store, metrics, funnels"),
    ServiceSpec("engagement", 8006, "messages, channels, consent, journeys"),
    # Orders asks campaigns' quote for every order at checkout.
    ServiceSpec("orders", 8007, "carts, checkout, payments, fulfilment, refunds", ("campaigns",)),
)
BY_NAME = {service.name: service for service in SERVICES}
NAMES = tuple(BY_NAME)


def service(name: str) -> ServiceSpec:
    try:
        return BY_NAME[name]
    except KeyError:
        raise LookupError(f"no service {name!r}; the services are {', '.join(BY_NAME)}") from None
