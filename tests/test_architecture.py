"""The dependency rule, checked on the source: the domain knows no read side, no CLI, no clock."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {
    "lapor_domain": ROOT / "src" / "lapor_domain",
    "lapor_projections": ROOT / "projections" / "lapor_projections",
    "lapor_cli": ROOT / "cli" / "lapor_cli",
}
FORBIDDEN = {
    "lapor_domain": {"lapor_projections", "lapor_cli", "click", "rich", "tqdm"},
    "lapor_projections": {"lapor_cli", "click", "rich"},
    "lapor_cli": set(),
}
WALL_CLOCK = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def sources(package: str) -> list[Path]:
    return sorted(PACKAGES[package].rglob("*.py"))


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_dependency_rule(package: str) -> None:
    for path in sources(package):
        bad = imported_roots(path) & FORBIDDEN[package]
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_the_domain_model_imports_no_adapters_or_application() -> None:
    for path in sorted((PACKAGES["lapor_domain"] / "model").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level >= 2:
                assert node.module not in ("adapters", "application") and not (node.module or "").startswith(
                    "adapters"
                ), f"{path.name} reaches out of the model: {node.module}"
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module not in ("eventsourcing", "sqlite3", "psycopg"), path.name


def test_the_domain_reads_no_clock_and_prints_nothing() -> None:
    for path in sources("lapor_domain"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
                assert (name, node.func.attr) not in WALL_CLOCK, f"{path.name}:{node.lineno} reads the clock"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "print", f"{path.name}:{node.lineno} prints"


def test_the_package_ships_its_type_marker() -> None:
    assert (PACKAGES["lapor_domain"] / "py.typed").exists()


def public_surface_breaches(path: Path) -> list[str]:
    """Imports of lapor_domain's modules by path: the read side and the CLI use its exports."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
        found += [f"{where} imports {name}" for name in names if name.startswith("lapor_domain.")]
    return found


@pytest.mark.parametrize("package", ["lapor_projections", "lapor_cli"])
def test_the_read_side_and_the_cli_use_only_the_domains_public_exports(package: str) -> None:
    breaches = [breach for path in sources(package) for breach in public_surface_breaches(path)]
    assert breaches == []


def test_every_public_export_is_there() -> None:
    import lapor_domain

    missing = [name for name in lapor_domain.__all__ if not hasattr(lapor_domain, name)]
    assert missing == []
