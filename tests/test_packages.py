"""Our four package names must resolve to this repository, not to a dependency's module."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["graph", "schema", "api", "loaders"])
def test_package_resolves_to_this_repository(name: str) -> None:
    spec = importlib.util.find_spec(name)
    assert spec is not None
    assert spec.origin is not None
    assert Path(spec.origin).resolve().is_relative_to(ROOT), spec.origin


def test_only_graph_imports_the_driver() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("schema", "api", "loaders")
        for path in (ROOT / package).rglob("*.py")
        if any(
            line.strip().startswith(("import neo4j", "from neo4j"))
            for line in path.read_text("utf-8").splitlines()
        )
    ]
    assert offenders == []
