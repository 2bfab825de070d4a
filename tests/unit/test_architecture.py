"""The layer reads like the product, and stays that way: one package per capability, small files, and
capabilities that reach each other only through a service or a model. (The direction of the dependencies
is import-linter's layers contract in pyproject.toml, run by `make lint`.)"""

from __future__ import annotations

import ast
from pathlib import Path

LAYER = Path(__file__).resolve().parents[2] / "layers" / "core" / "src" / "starling"
KERNEL = {"shared"}
PUBLIC_FACES = {"service", "model"}
MAX_LINES = 400


def _modules() -> list[Path]:
    return sorted(p for p in LAYER.rglob("*.py"))


def _imported(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("starling."):
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.extend(a.name for a in node.names if a.name.startswith("starling."))
    return names


def test_the_layer_is_one_package_per_capability_plus_the_kernel_and_the_http_glue() -> None:
    packages = {p.name for p in LAYER.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages >= {
        "shared",
        "api",
        "identity",
        "catalog",
        "discovery",
        "recruiting",
        "links",
        "contracts",
        "conversions",
        "reports",
    }
    assert not packages & {"domain", "logic", "dal", "integrations"}


def test_no_file_of_the_layer_is_over_400_lines() -> None:
    long = {
        str(p.relative_to(LAYER)): n for p in _modules() if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not long, long


def test_a_capability_reaches_another_only_through_its_service_or_model() -> None:
    breaches = []
    for path in _modules():
        own = path.relative_to(LAYER).parts[0]
        for name in _imported(path):
            parts = name.split(".")
            if len(parts) < 3 or parts[1] in KERNEL | {own}:
                continue
            if parts[2] not in PUBLIC_FACES:
                breaches.append(f"{path.relative_to(LAYER)} imports {name}")
    assert not breaches, "\n".join(sorted(set(breaches)))
