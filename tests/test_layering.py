"""The import contract of DESIGN.md section 2 holds, and breaks when a layer reaches up."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from contracts.manifest import NAMES

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("chassis", "contracts", "services", "gateway", "deploy")
LINT = [
    sys.executable,
    "-c",
    "import sys; from importlinter.cli import lint_imports_command; "
    "sys.exit(lint_imports_command())",
]


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        LINT, cwd=tree, env={"PYTHONPATH": str(tree)}, capture_output=True, text=True, timeout=120
    )


def test_the_tree_keeps_the_import_contracts():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_the_independence_contract_names_every_service_of_the_manifest():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    independent = next(c for c in config["contracts"] if c["type"] == "independence")
    assert sorted(independent["modules"]) == sorted(f"services.{name}" for name in NAMES)


@pytest.mark.parametrize(
    ("module", "bad_import", "broken"),
    [
        ("chassis/ids.py", "import services.catalog.models", "Layers"),
        ("chassis/ids.py", "import gateway.routes", "Layers"),
        ("contracts/orders.py", "import services.orders.models", "Layers"),
        (
            "services/catalog/inventory/consumers.py",
            "import services.orders.models",
            "never imports",
        ),
    ],
)
def test_a_deliberate_bad_import_breaks_the_contract(tmp_path, module, bad_import, broken):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("var"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{bad_import}\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    line = next(line for line in result.stdout.splitlines() if "BROKEN" in line)
    assert broken in line
