"""The map in docs/DESIGN.md, checked: each package imports only the packages below it (parsed with ``ast``, so a
lazy import inside a function counts too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "userpool"
BASE = {"errors", "workers"}
ALLOWED = {
    "domain": BASE | {"domain"},
    "store": BASE | {"store", "domain"},
    "triggers": BASE | {"triggers", "domain", "config"},
    "delivery": BASE | {"delivery", "domain", "store", "clock"},
}
ALLOWED["operations"] = set().union(*ALLOWED.values()) | {"operations", "context", "config"}
ALLOWED["protocol"] = ALLOWED["operations"] | {"protocol", "observability"}
ALLOWED["web"] = ALLOWED["operations"] | {"web", "observability"}


def imported_packages(path: Path) -> set[str]:
    """The first component under ``userpool`` of every ``userpool.*`` module a file imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "userpool" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_what_lies_below_it(package: str) -> None:
    wrong = {
        f"{path.relative_to(SRC)} imports userpool.{name}"
        for path in (SRC / package).rglob("*.py")
        for name in imported_packages(path) - ALLOWED[package]
    }
    assert not wrong, sorted(wrong)


def test_nothing_imports_the_composition_root() -> None:
    wrong = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        # the composition root itself, the server it runs (uvicorn workers load the app by name), and the test tools
        if path.name not in ("app.py", "cli.py", "__main__.py", "serving.py", "testing.py", "pytest_plugin.py")
        and imported_packages(path) & {"app", "cli"}
    ]
    assert not wrong
