"""The shape of ``operations/``: operation modules import no other operation module; what they share lives in
``operations/shared/``, whose modules register no operation; the registry is exactly the operation modules'."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import userpool.operations
from userpool.operations import REGISTRY

PACKAGE = Path(userpool.operations.__file__).parent
OPERATION_MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
# Shared modules, with those of its packages (``shared/signin/``: the sign-in flow engine) as ``signin.flow``.
SHARED_MODULES = sorted(
    ".".join(p.relative_to(PACKAGE / "shared").with_suffix("").parts)
    for p in (PACKAGE / "shared").rglob("*.py")
    if p.stem != "__init__" or p.parent != PACKAGE / "shared"
)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _defines_operations(tree: ast.Module) -> bool:
    """Whether the module assigns ``OPERATIONS`` at its top level."""
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        if any(isinstance(t, ast.Name) and t.id == "OPERATIONS" for t in targets):
            return True
    return False


def _imported(tree: ast.Module) -> set[str]:
    """Every module an import names, with ``from a import b`` counted as ``a`` and ``a.b`` (b may be a module)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _operation_modules_imported(tree: ast.Module) -> set[str]:
    return {name for name in _imported(tree) if name.removeprefix("userpool.operations.") in OPERATION_MODULES}


def test_the_layout_is_what_the_test_reads():
    assert {"auth", "signup", "tokens", "account"} <= set(OPERATION_MODULES)
    assert {"lookups", "sending", "issuing", "throttle", "signin.flow", "signin.strategies"} <= set(SHARED_MODULES)


@pytest.mark.parametrize("name", OPERATION_MODULES)
def test_a_module_of_the_package_is_an_operation_module(name):
    assert _defines_operations(_tree(PACKAGE / f"{name}.py")), (
        f"operations/{name}.py registers no operation: what operations share belongs in operations/shared/"
    )


@pytest.mark.parametrize("name", OPERATION_MODULES)
def test_an_operation_module_imports_no_other_operation_module(name):
    imported = _operation_modules_imported(_tree(PACKAGE / f"{name}.py"))
    assert imported == set(), f"operations/{name}.py imports {sorted(imported)}: share through operations/shared/"


@pytest.mark.parametrize("name", SHARED_MODULES)
def test_a_shared_module_registers_no_operation_and_imports_none(name):
    tree = _tree(PACKAGE / "shared" / f"{name.replace('.', '/')}.py")
    assert not _defines_operations(tree)
    assert _operation_modules_imported(tree) == set()
    assert ast.get_docstring(tree), f"operations/shared/{name} says what it does in a docstring"


def test_the_registry_is_every_operation_module_and_nothing_else():
    merged: dict[str, object] = {}
    for name in OPERATION_MODULES:
        operations = importlib.import_module(f"userpool.operations.{name}").OPERATIONS
        assert not set(operations) & set(merged), f"{name} registers an operation another module registers"
        merged.update(operations)
    assert dict(REGISTRY) == merged


def test_the_checks_catch_an_operation_module_importing_another():
    tree = ast.parse("from userpool.operations import account\nfrom userpool.operations.tokens import x\n")
    assert _operation_modules_imported(tree) == {"userpool.operations.account", "userpool.operations.tokens"}
    assert _defines_operations(ast.parse("OPERATIONS = {}"))
    assert not _defines_operations(ast.parse("def f():\n    OPERATIONS = {}\n"))
