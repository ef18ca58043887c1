"""What every service built by `build_service` promises: a 500 reveals nothing, a 422 comes
before any database work, and every log line of a request names its request id."""

import io
import json
import logging
import re
from collections import Counter

import httpx
import pytest
from sqlalchemy import event

from chassis.ids import new_id
from chassis.logs import current_request_id
from contracts.manifest import SERVICES

SECRET = "password=hunter2 at /srv/flywheel/secret.py"
log = logging.getLogger("tests.promises")


async def explode() -> None:
    log.warning("about to fail")
    raise RuntimeError(SECRET)


def app_of(name: str):
    """The service's own app, as its factory builds it, with one route that raises."""
    settings = __import__(f"services.{name}.settings", fromlist=["Settings"]).Settings
    create_app = __import__(f"services.{name}.app", fromlist=["create_app"]).create_app
    app = create_app(settings(database_url="sqlite+aiosqlite://", kafka_enabled=False))
    app.add_api_route(f"/api/v1/{name}/explode", explode, methods=["GET"])
    return app


@pytest.mark.parametrize("name", [service.name for service in SERVICES])
async def test_an_unexpected_error_is_a_bare_500_problem_and_its_log_names_the_request(name):
    app = app_of(name)
    (handler,) = logging.getLogger().handlers  # the one the service configured
    written = io.StringIO()
    stream = handler.setStream(written)
    transport = httpx.ASGITransport(app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            response = await client.get(
                f"/api/v1/{name}/explode", headers={"X-Request-ID": f"boom-{name}"}
            )
    finally:
        handler.setStream(stream)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "https://flywheel.dev/problems/internal-server-error",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "An unexpected error occurred.",
        "instance": f"/api/v1/{name}/explode",
    }
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["x-request-id"] == f"boom-{name}"
    # The JSON lines the service writes: the route's own, the traceback, the access line.
    lines = [json.loads(line) for line in written.getvalue().splitlines()]
    ours = [line for line in lines if line.get("request_id") == f"boom-{name}"]
    messages = {line["message"] for line in ours}
    assert {"about to fail", f"GET /api/v1/{name}/explode 500"} <= messages
    (failure,) = [line for line in ours if line["message"].startswith("unexpected error")]
    assert SECRET in failure["error"]  # the traceback is in the log, for the operator


class Statements:
    """Counts the SQL statements a service's engine runs for one request id."""

    def __init__(self, engine) -> None:
        self.engine = engine.sync_engine
        self.by_request: Counter = Counter()

    def _count(self, *_args) -> None:
        self.by_request[current_request_id.get()] += 1

    def __enter__(self) -> "Statements":
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


def json_commands(app) -> list[tuple[str, str]]:
    """(method, path) of every operation of the service that takes a JSON body."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                found.append((method.upper(), re.sub(r"\{[^}]+\}", str(new_id()), path)))
    return found


@pytest.mark.parametrize("name", [service.name for service in SERVICES])
async def test_a_body_of_the_wrong_shape_is_a_422_before_any_database_work(
    name, platform, admin_token
):
    app = platform.servers[name].app
    commands = json_commands(app)
    with Statements(app.state.db.engine) as statements:
        async with platform.client(name, admin_token) as client:
            answers = {}
            for method, path in commands:
                request_id = f"shape-{new_id().hex}"
                response = await client.request(
                    method,
                    path,
                    json=[["not", "an", "object"]],
                    headers={"X-Request-ID": request_id},
                )
                answers[(method, path)] = (response.status_code, statements.by_request[request_id])
            # The control: the counter does see the statements of a request that gets in.
            control = f"control-{new_id().hex}"
            await client.get("/readyz", headers={"X-Request-ID": control})
    assert statements.by_request[control] > 0
    assert {key: answer for key, answer in answers.items() if answer != (422, 0)} == {}
