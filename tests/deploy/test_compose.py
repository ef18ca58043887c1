"""docker-compose.yml: valid Compose, and every service of the manifest in it, migrated first."""

import json
import subprocess
import sys
from pathlib import Path

import yaml

from contracts.manifest import SERVICES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"


def test_the_compose_file_validates_against_the_compose_schema():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(COMPOSE),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_service_of_the_manifest_runs_migrated_and_healthy_behind_the_gateway():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    databases = (ROOT / "deploy" / "compose" / "init-databases.sql").read_text()
    gateway = services["gateway"]
    for spec in SERVICES:
        service, migrate = services[spec.name], services[f"{spec.name}-migrate"]
        env = service["environment"]
        assert env["APP"] == spec.app
        assert env[f"{spec.env_prefix}MIGRATE_ON_START"] == "false"
        url = env[f"{spec.env_prefix}DATABASE_URL"]
        assert url == migrate["environment"][f"{spec.env_prefix}DATABASE_URL"]
        assert url.endswith(f"/flywheel_{spec.database}")
        assert f"CREATE DATABASE flywheel_{spec.database};" in databases
        assert migrate["command"] == ["python", "-m", "deploy.migrate", spec.name, "upgrade"]
        conditions = {name: dep["condition"] for name, dep in service["depends_on"].items()}
        assert conditions[f"{spec.name}-migrate"] == "service_completed_successfully"
        assert conditions["kafka-topics"] == "service_completed_successfully"
        assert "/readyz" in " ".join(service["healthcheck"]["test"])
        assert service["restart"] == "unless-stopped"
        assert gateway["depends_on"][spec.name]["condition"] == "service_healthy"
        # The services it calls, at their in-network addresses.
        wanted = spec.url_settings(lambda callee: f"http://{callee}:8000")
        assert {name: env[name] for name in wanted} == wanted
    upstreams = json.loads(gateway["environment"]["GATEWAY_UPSTREAMS"])
    assert upstreams == {spec.name: f"http://{spec.name}:8000" for spec in SERVICES}
    assert services["kafka-topics"]["command"] == ["python", "-m", "deploy.topics"]
    assert {"kafka", "postgres", "redis", "clickhouse", "mailpit", "jaeger"} <= services.keys()
