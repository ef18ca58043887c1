"""The upstreams' OpenAPI documents: fetched when the gateway starts and refreshed, taught to
the routing table (who may call each operation), and merged with the gateway's own into one
document for the whole platform."""

import asyncio
import copy
import logging
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp

from chassis.auth.access import Access
from chassis.http.openapi import problem_response
from gateway.routes import OPERATIONS, RoutingTable, under
from gateway.upstreams import Upstream

log = logging.getLogger(__name__)
SCHEMA_REF = "#/components/schemas/"
RETRY_MISSING_AFTER = 5.0  # seconds: a document lacking a service is rebuilt sooner
FETCH_TIMEOUT = aiohttp.ClientTimeout(total=3.0)
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
    for item in own_paths.values():  # the gateway's own API: admins, behind the same edge
        for method, operation in item.items():
            if method in OPERATIONS:
                responses = operation.setdefault("responses", {})
                for status in _edge_statuses(Access.ADMIN, "requestBody" in operation):
                    responses.setdefault(str(status), problem_response(status))
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
        if "parameters" in operation:
            operation["parameters"] = [_as_the_edge_takes_it(p) for p in operation["parameters"]]
        operation["x-gateway"] = {
            "policy": route.policy.value,
            "rate_class": route.rate_class,
            "timeout_seconds": route.timeout,
        }
        responses = operation["responses"] = dict(operation.get("responses", {}))
        for status in _edge_statuses(route.policy, "requestBody" in operation):
            responses.setdefault(str(status), problem_response(status))
        security = operation.get("security", [])
        if route.policy is Access.PUBLIC and {} not in security:
            operation["security"] = [{}, *security]
        elif route.policy in (Access.CUSTOMER, Access.PARTNER):
            operation["security"] = [*security, {PARTNER_KEY: []}]
        item[method] = operation
    return item


# What `routes.checked_path` lets through in one path segment: no control characters, no
# slash or backslash. Said in the merged document so that a schema-valid value is one the
# gateway takes (a `.` or `..` segment, also refused, is left to the 400 it is documented as).
SEGMENT = r"^[^\u0000-\u001f\u007f/\\]+$"


def _as_the_edge_takes_it(parameter: dict[str, Any]) -> dict[str, Any]:
    schema = parameter.get("schema", {})
    free_text = schema.get("type") == "string" and not {"format", "pattern", "enum"} & set(schema)
    if parameter.get("in") != "path" or not free_text:
        return parameter
    return {**parameter, "schema": {**schema, "pattern": SEGMENT}}


def _edge_statuses(policy: Access, has_body: bool) -> set[int]:
    """What the gateway itself may answer for an operation, before or instead of the service:
    a path it refuses, its own admission, the rate limit, size limits and upstream trouble."""
    statuses = {400, 429, 431, 502, 503, 504}
    if policy is not Access.PUBLIC:
        statuses |= {401, 403}
    if has_body:
        statuses.add(413)
    return statuses


class ServiceDocuments:
    """The latest OpenAPI document of each upstream (None: it did not answer last time). Each
    one fetched teaches the routing table its operations; a service that stops answering
    keeps the routes it taught, as they are still the best knowledge of it."""

    def __init__(
        self,
        upstreams: Mapping[str, Upstream],
        table: RoutingTable,
        rate_classes: set[str],
        *,
        max_age: float,
    ) -> None:
        self._upstreams = {name: upstreams[name] for name in upstreams if name in table.upstreams}
        self._table = table
        self._rate_classes = rate_classes
        self._max_age = max_age
        self.latest: dict[str, dict[str, Any] | None] = dict.fromkeys(self._upstreams)
        self.version = 0
        self._lock = asyncio.Lock()

    @property
    def complete(self) -> bool:
        return all(document is not None for document in self.latest.values())

    async def refresh(self) -> None:
        async with self._lock:
            names = list(self._upstreams)
            fetched = await asyncio.gather(*(self._fetch(name) for name in names))
            for name, document in zip(names, fetched, strict=True):
                self.latest[name] = document
                if document is not None:
                    self._table.learn(name, document, self._rate_classes)
            self.version += 1

    async def keep_fresh(self) -> None:
        """Refresh every `max_age` seconds, sooner while a service's document is missing."""
        while True:
            await asyncio.sleep(
                self._max_age if self.complete else min(self._max_age, RETRY_MISSING_AFTER)
            )
            try:
                await self.refresh()
            except Exception:
                log.exception("refreshing the services' OpenAPI documents failed")

    async def _fetch(self, name: str) -> dict[str, Any] | None:
        upstream = self._upstreams[name]
        url = f"{upstream.base_url}/api/v1/{name}/openapi.json"
        try:
            async with upstream.session.get(url, timeout=FETCH_TIMEOUT) as response:
                response.raise_for_status()
                document = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            log.warning("OpenAPI of %s unavailable: %r", name, error)
            return None
        return document if isinstance(document, dict) else None


class MergedOpenApi:
    """The merged document, rebuilt when the services' documents change or on demand."""

    def __init__(
        self, own: Callable[[], dict[str, Any]], documents: ServiceDocuments, table: RoutingTable
    ) -> None:
        self._own = own
        self._documents = documents
        self._table = table
        self._document: dict[str, Any] | None = None
        self._version = -1

    async def document(self, *, refresh: bool = False) -> dict[str, Any]:
        if refresh:
            await self._documents.refresh()
        if self._document is None or self._version != self._documents.version:
            self._version = self._documents.version
            self._document = merge(self._own(), self._documents.latest, self._table)
        return self._document
