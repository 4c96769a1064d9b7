"""docs/model.md lists exactly the constraints and indexes the code creates."""

from __future__ import annotations

import re
from pathlib import Path

from graph.migrations import NODE_LABELS, schema_items

DOC = Path(__file__).resolve().parent.parent / "docs" / "model.md"


def _section(title: str) -> str:
    text = DOC.read_text("utf-8")
    return text.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def test_documented_schema_matches_migrations() -> None:
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", _section("Constraints and indexes"), re.M))
    assert documented == {item.name for item in schema_items()}


def test_every_constrained_label_is_documented() -> None:
    nodes = set(re.findall(r"^\| `([A-Za-z]+)` \|", _section("Nodes"), re.M))
    assert nodes == set(NODE_LABELS)
