"""Where the tables of a bundle come from: a folder of CSV files, one CSV file, or an XLSX
workbook with one sheet per entity. Each source yields its header and rows lazily."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loaders.errors import Issue
from loaders.tabular.tables import Table, table_for_name
from loaders.textfile import read_rows


@dataclass(frozen=True, slots=True)
class TableSource:
    """One file or sheet holding one table; ``label`` names it in error messages."""

    label: str
    table: Table
    path: Path
    sheet: str | None = None

    def rows(self) -> Iterator[list[Any]]:
        """Header first, then the data rows, as lists of cell values."""
        if self.sheet is None:
            yield from read_rows(self.path)
            return
        from openpyxl import load_workbook

        workbook = load_workbook(self.path, read_only=True, data_only=True)
        try:
            for row in workbook[self.sheet].iter_rows(values_only=True):
                yield list(row)
        finally:
            workbook.close()


def find_sources(path: Path) -> tuple[list[TableSource], list[Issue]]:
    """The tables under ``path``; files or sheets that name no table are issues, not skipped."""
    if path.is_dir():
        sources: list[TableSource] = []
        issues: list[Issue] = []
        for child in sorted(path.iterdir()):
            if child.suffix.lower() not in (".csv", ".xlsx"):
                continue
            found, problems = find_sources(child)
            sources += [
                TableSource(f"{path.name}/{s.label}", s.table, s.path, s.sheet) for s in found
            ]
            issues += problems
        if not sources and not issues:
            issues.append(Issue(path.name, None, None, "keine CSV- oder XLSX-Dateien gefunden"))
        return sources, _dedupe(sources, issues)
    if not path.exists():
        return [], [Issue(path.name, None, None, "Datei nicht gefunden")]
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _workbook_sources(path)
    if suffix == ".csv":
        table = table_for_name(path.stem)
        if table is None:
            return [], [Issue(path.name, None, None, _unknown("Datei", path.stem))]
        return [TableSource(path.name, table, path)], []
    return [], [Issue(path.name, None, None, "nur .csv oder .xlsx (oder ein Ordner davon)")]


def _workbook_sources(path: Path) -> tuple[list[TableSource], list[Issue]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        return [], [Issue(path.name, None, None, f"keine lesbare XLSX-Datei ({exc})")]
    names = list(workbook.sheetnames)
    workbook.close()
    sources, issues = [], []
    for name in names:
        table = table_for_name(name)
        if table is None:
            issues.append(Issue(f"{path.name}[{name}]", None, None, _unknown("Blatt", name)))
        else:
            sources.append(TableSource(f"{path.name}[{name}]", table, path, name))
    return sources, _dedupe(sources, issues)


def _dedupe(sources: list[TableSource], issues: list[Issue]) -> list[Issue]:
    seen: dict[str, str] = {}
    for source in sources:
        if source.table.name in seen:
            issues.append(
                Issue(
                    source.label,
                    None,
                    None,
                    f"Tabelle {source.table.name} doppelt (auch {seen[source.table.name]})",
                )
            )
        seen.setdefault(source.table.name, source.label)
    return issues


def _unknown(what: str, name: str) -> str:
    from loaders.tabular.tables import TABLES

    known = ", ".join(t.name for t in TABLES)
    return f"{what} „{name}“ ist keine bekannte Tabelle (erwartet: {known})"
