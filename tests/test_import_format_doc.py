"""docs/import-format.md documents every column of every table, with its German names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loaders.tabular.tables import _COMMON_ALIASES, TABLES, Table

DOC = Path(__file__).resolve().parent.parent / "docs" / "import-format.md"


def _section(table: Table) -> str:
    text = DOC.read_text("utf-8")
    return text.split(f"### `{table.name}`", 1)[1].split("\n### ", 1)[0]


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_column_is_documented(table: Table) -> None:
    section = _section(table)
    rows = dict(re.findall(r"^\| `([a-z_]+)(?:<key>)?` \| ([^|]*) \|", section, re.M))
    documented = set(rows)
    expected = {("indicator_" if n == "indicators" else n) for n in table.kinds}
    assert documented == expected
    for name, german in rows.items():
        field = "indicators" if name == "indicator_" else name
        aliases = (*table.aliases.get(field, ()), *_COMMON_ALIASES.get(field, ()))
        for alias in aliases:
            if alias not in ("ID", "parent", "lat", "lon") and alias != name:
                assert alias in german, (name, alias)
    for file_name in table.file_names:
        if "ä" not in file_name and "ü" not in file_name:
            assert f"`{file_name}`" in text_header(table), file_name


def text_header(table: Table) -> str:
    text = DOC.read_text("utf-8")
    return text.split(f"### `{table.name}`", 1)[1].split("\n", 1)[0]
