"""`python -m deploy.configref`: the configuration reference, from the settings classes.

Writes docs/configuration.md: every environment variable of every service of the manifest
and of the gateway, its default and what it does. `tests/deploy/test_configuration_doc.py`
fails when the page differs from what this writes.
"""

import importlib
import sys
from pathlib import Path

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from chassis.settings import ServiceSettings
from contracts.manifest import SERVICES

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"
HIDDEN = {"service_name"}  # fixed per service, not configuration


def _names(prefix: str, name: str, field: FieldInfo) -> list[str]:
    alias = field.validation_alias
    choices = getattr(alias, "choices", None) or ([alias] if isinstance(alias, str) else [])
    upper = [c for c in choices if isinstance(c, str) and c.isupper()]
    return upper or [f"{prefix}{name}".upper()]


def _default(field: FieldInfo) -> str:
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    if isinstance(value, dict):
        value = {k: v.model_dump() if hasattr(v, "model_dump") else v for k, v in value.items()}
    text = str(value).replace("|", "\\|")
    return f"`{text}`" if len(text) < 80 else f"`{text[:77]}...`"


def _rows(settings: type[BaseSettings], prefix: str, skip: set[str]) -> list[str]:
    rows = []
    for name, field in settings.model_fields.items():
        if name in HIDDEN or name in skip:
            continue
        variable = " or ".join(f"`{n}`" for n in _names(prefix, name, field))
        rows.append(f"| {variable} | {_default(field)} | {field.description or ''} |")
    return rows


def markdown() -> str:
    shared = {n for n, f in ServiceSettings.model_fields.items() if f.validation_alias}
    per_service = [n for n in ServiceSettings.model_fields if n not in shared | HIDDEN]
    out = [
        "# Configuration reference",
        "",
        "Generated from the settings classes by `python -m deploy.configref`; do not edit.",
        "Everything is an environment variable with a development default that makes",
        "`make run` work with nothing set. Secrets (database URLs with passwords, the admin",
        "password, SMTP credentials) come from the platform's secret store, never the repo.",
        "",
        "## Shared by every service and the gateway",
        "",
        "| variable | default | what it does |",
        "|---|---|---|",
        *_rows(ServiceSettings, "", set(per_service)),
        "",
        "## Per service",
        "",
        "Each service reads these with its own prefix (`USERS_`, `CATALOG_`, ... `GATEWAY_`),",
        "e.g. `CATALOG_DATABASE_POOL_SIZE`.",
        "",
        "| variable | default | what it does |",
        "|---|---|---|",
        *_rows(ServiceSettings, "<SERVICE>_", shared),
    ]
    owners = [(s.name, f"services.{s.name}.settings", "Settings") for s in SERVICES]
    owners.append(("gateway", "gateway.settings", "GatewaySettings"))
    for name, module, cls in owners:
        settings = getattr(importlib.import_module(module), cls)
        prefix = settings.model_config.get("env_prefix", "")
        own = set(ServiceSettings.model_fields)
        rows = _rows(settings, prefix, own)
        if rows:
            out += ["", f"## {name}", "", "| variable | default | what it does |", "|---|---|---|"]
            out += rows
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    DOC.write_text(markdown())
    print(f"wrote {DOC}", file=sys.stderr)
