"""One OpenAPI document for the whole platform: each upstream's, merged with the gateway's."""

import asyncio
import copy
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp

from gateway.routes import Policy, RoutingTable, under
from gateway.upstreams import Upstream

log = logging.getLogger(__name__)
SCHEMA_REF = "#/components/schemas/"
RETRY_MISSING_AFTER = 5.0  # seconds: a document lacking a service is rebuilt sooner
FETCH_TIMEOUT = aiohttp.ClientTimeout(total=3.0)
OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PARTNER_KEY = "partnerKey"


def merge(
    own: dict[str, Any], services: Mapping[str, dict[str, Any] | None], table: RoutingTable
) -> dict[str, Any]:
    """The gateway's document plus every service's `/api/v1/<service>/...` paths and their
    components. A schema name two services use for different schemas is prefixed with the
    service's name in the later one; a service whose document is missing (None) is named in
    the description."""
    document = copy.deepcopy(own)
    own_paths = document.pop("paths", {})
    paths = document["paths"] = {}
    components = document.setdefault("components", {})
    components.setdefault("securitySchemes", {})[PARTNER_KEY] = {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "A partner API key issued by an admin (POST /api/v1/gateway/partners).",
    }
    tags = {tag["name"]: tag for tag in document.get("tags", [])}
    missing = []
    for name, service in sorted(services.items()):
        if service is None:
            missing.append(name)
            continue
        renames = _collisions(name, service.get("components", {}).get("schemas", {}), components)
        service = _renamed(service, renames) if renames else service
        for section, entries in service.get("components", {}).items():
            target = components.setdefault(section, {})
            for key, value in entries.items():
                target.setdefault(renames.get(key, key) if section == "schemas" else key, value)
        for path, item in service.get("paths", {}).items():
            if under(path, f"/api/v1/{name}"):
                paths[path] = _annotated(path, item, table)
        for tag in service.get("tags", []):
            tags.setdefault(tag["name"], tag)
    paths.update(own_paths)  # the services' routes first, the gateway's own after them
    if tags:
        document["tags"] = list(tags.values())
    if missing:
        document["info"]["description"] = (
            document["info"].get("description", "")
            + "\n\n**Not included now** (the service did not answer): "
            + ", ".join(missing)
            + "."
        )
    return document


def _collisions(service: str, theirs: dict[str, Any], components: dict[str, Any]) -> dict[str, str]:
    """The new names of a service's schemas that differ from merged ones of the same name.
    Renaming one changes the schemas that refer to it, so repeat until nothing changes."""
    ours = components.setdefault("schemas", {})
    renames: dict[str, str] = {}
    while True:
        current = _renamed(theirs, renames)
        clashes = {
            key
            for key, schema in current.items()
            if key in ours and ours[key] != schema and key not in renames
        }
        if not clashes:
            return renames
        renames |= {key: f"{service}_{key}" for key in clashes}


def _renamed(value: Any, renames: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        result = {k: _renamed(v, renames) for k, v in value.items()}
        ref = result.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_REF):
            result["$ref"] = SCHEMA_REF + renames.get(
                ref[len(SCHEMA_REF) :], ref[len(SCHEMA_REF) :]
            )
        return result
    if isinstance(value, list):
        return [_renamed(v, renames) for v in value]
    return value


def _annotated(path: str, item: dict[str, Any], table: RoutingTable) -> dict[str, Any]:
    """Each operation says what the gateway requires of it (`x-gateway`), and operations
    partner keys may call list the key as a way to authenticate."""
    item = dict(item)
    for method in OPERATIONS:
        if method not in item:
            continue
        route = table.match(method.upper(), path)
        if route is None:
            continue
        operation = dict(item[method])
        operation["x-gateway"] = {
            "policy": route.policy.value,
            "rate_class": route.rate_class,
            "timeout_seconds": route.timeout,
        }
        security = operation.get("security", [])
        if route.policy is Policy.PUBLIC and {} not in security:
            operation["security"] = [{}, *security]
        elif route.policy in (Policy.CUSTOMER, Policy.PARTNER):
            operation["security"] = [*security, {PARTNER_KEY: []}]
        item[method] = operation
    return item


class MergedOpenApi:
    """The merged document, rebuilt when older than `max_age` seconds or on demand."""

    def __init__(
        self,
        own: Callable[[], dict[str, Any]],
        upstreams: Mapping[str, Upstream],
        table: RoutingTable,
        *,
        max_age: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._own = own
        self._upstreams = upstreams
        self._table = table
        self._max_age = max_age
        self._clock = clock
        self._document: dict[str, Any] | None = None
        self._complete = False
        self._built_at = 0.0
        self._lock = asyncio.Lock()

    async def document(self, *, refresh: bool = False) -> dict[str, Any]:
        async with self._lock:
            max_age = self._max_age if self._complete else min(self._max_age, RETRY_MISSING_AFTER)
            if refresh or self._document is None or self._clock() - self._built_at > max_age:
                names = [name for name in self._upstreams if name in self._table.upstreams]
                fetched = await asyncio.gather(*(self._fetch(name) for name in names))
                services = dict(zip(names, fetched, strict=True))
                self._document = merge(self._own(), services, self._table)
                self._complete = all(doc is not None for doc in fetched)
                self._built_at = self._clock()
            return self._document

    async def _fetch(self, name: str) -> dict[str, Any] | None:
        upstream = self._upstreams[name]
        url = f"{upstream.base_url}/api/v1/{name}/openapi.json"
        try:
            async with upstream.session.get(url, timeout=FETCH_TIMEOUT) as response:
                response.raise_for_status()
                return await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            log.warning("OpenAPI of %s unavailable: %r", name, error)
            return None
