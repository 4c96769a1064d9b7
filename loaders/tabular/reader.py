"""Parse and validate the tables of a bundle into domain records, collecting every issue.

Nothing is written here: the result is either a complete Bundle or a list of issues naming
file, row and column. Every record remembers the file and row it came from, so reference
checks later can point at the cell that names a missing node.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from graph.bundle import Bundle
from graph.records import ReferralEvent
from loaders.errors import Issue
from loaders.messages import german_message
from loaders.tabular.sources import TableSource, find_sources
from loaders.tabular.tables import Kind, ReferralEventRow, Table, indicator_key
from loaders.textfile import CsvSyntaxError
from loaders.values import (
    formula_restored,
    is_blank,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_float,
    parse_int,
    parse_list,
    parse_text,
)

_PARSERS: dict[Kind, Callable[[Any], Any]] = {
    "text": parse_text,
    "int": parse_int,
    "float": parse_float,
    "bool": parse_bool,
    "date": parse_date,
    "datetime": parse_datetime,
    "list": parse_list,
    "indicators": parse_float,
}


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record came from: file label, row and the header used for each field."""

    file: str
    row: int
    headers: dict[str, str]
    json: bool = False
    line: int | None = None  # JSON: the line the record starts on

    def issue(self, field_name: str, message: str) -> Issue:
        column = self.headers.get(field_name, field_name)
        if self.json:
            return Issue(self.file, self.row, column, message, "Datensatz", "Feld", self.line)
        return Issue(self.file, self.row, column, message)


@dataclass(slots=True)
class ParsedBundle:
    """A validated bundle, the origin of each record (parallel lists) and the issues."""

    bundle: Bundle = field(default_factory=Bundle)
    origins: dict[str, list[Origin]] = field(default_factory=dict)
    tables: set[str] = field(default_factory=set)
    issues: list[Issue] = field(default_factory=list)
    # Worth a look but no reason to refuse the file (listed in the import summary).
    warnings: list[Issue] = field(default_factory=list)
    # Per table, the record fields the input has columns for (``indicators.<key>`` for one
    # indicator). A table missing here was read in full (every field given, e.g. HSDS).
    # Fields not listed keep their stored values (loaders/absent.py): a partial file never
    # erases what it does not mention.
    columns: dict[str, frozenset[str]] = field(default_factory=dict)
    # The same per record, where records of one table give different fields (HSDS JSON: a
    # list answer nests only one-to-one fields); table -> record id -> fields given.
    record_columns: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)


def read_bundle(path: Path, source: str) -> ParsedBundle:
    """Read every table under ``path`` (folder, CSV file or XLSX workbook)."""
    sources, issues = find_sources(path)
    parsed = ParsedBundle(issues=list(issues))
    events: list[tuple[ReferralEventRow, Origin]] = []
    for table_source in sources:
        records, origins, present = _read_table(table_source, source, parsed.issues)
        name = table_source.table.name
        parsed.tables.add(name)
        parsed.columns[name] = parsed.columns.get(name, frozenset()) | present
        if name == "referral_events":
            events += list(zip(records, origins, strict=True))
            continue
        getattr(parsed.bundle, name).extend(records)
        parsed.origins.setdefault(name, []).extend(origins)
    if "referrals" in parsed.columns and "referral_events" in parsed.tables:
        # The status history is given (and replaced) only by a referral_events table.
        parsed.columns["referrals"] |= {"history"}
    _attach_history(parsed, events)
    return parsed


def _read_table(
    table_source: TableSource, source: str, issues: list[Issue]
) -> tuple[list[Any], list[Origin], frozenset[str]]:
    """The valid records, their origins and the fields the table has columns for."""
    table = table_source.table
    label = table_source.label
    rows = table_source.rows()
    try:
        header = next(rows)
    except StopIteration:
        issues.append(Issue(label, None, None, "Datei ist leer (keine Kopfzeile)"))
        return [], [], frozenset()
    except CsvSyntaxError as exc:
        issues.append(Issue(label, exc.row, None, exc.message))
        return [], [], frozenset()
    except (UnicodeError, OSError) as exc:
        issues.append(Issue(label, None, None, f"nicht lesbar: {exc}"))
        return [], [], frozenset()
    columns, headers, header_issues = _columns(table, label, header)
    if header_issues:
        issues += header_issues
        return [], [], frozenset()
    adapter: TypeAdapter[Any] = TypeAdapter(table.record)
    records: list[Any] = []
    origins: list[Origin] = []
    seen_ids: dict[str, int] = {}
    readers = [
        _Column(
            index,
            name,
            _converter(table, name),
            indicator_key(text) if name == "indicators" else None,
            table.kinds[name] == "text" and name not in table.words,
        )
        for index, text, name in columns
    ]
    used = {index for index, _, _ in columns}
    unused = [i for i in range(len(header)) if i not in used]
    for number, cells in _numbered(rows, label, issues):
        if _blank_row(cells):
            continue
        origin = Origin(label, number, headers)
        data, cell_issues = _row_data(readers, unused, len(header), cells, origin)
        data["source"] = source
        duplicate = _duplicate(data.get("id"), number, seen_ids)
        try:
            record = adapter.validate_python(data)
        except ValidationError as exc:
            issues += cell_issues
            issues += [_issue(origin, error) for error in exc.errors()]
            record = None
        if duplicate:
            issues.append(origin.issue("id", duplicate))
        if record is None or duplicate:
            continue
        if cell_issues:
            issues += cell_issues
            continue
        records.append(record)
        origins.append(origin)
    return records, origins, frozenset(headers)


def _numbered(
    rows: Iterator[list[Any]], label: str, issues: list[Issue]
) -> Iterator[tuple[int, list[Any]]]:
    """Data rows with their spreadsheet row number; a CSV syntax error ends the table as an
    issue with the row it is in (a CSV cell may span lines, so the number is counted here)."""
    number = 1
    try:
        for cells in rows:
            number += 1
            yield number, cells
    except CsvSyntaxError as exc:
        issues.append(Issue(label, exc.row, None, exc.message))


def _duplicate(ident: Any, number: int, seen: dict[str, int]) -> str | None:
    if not isinstance(ident, str) or not ident:
        return None
    if ident in seen:
        return f"ID „{ident}“ doppelt (schon in Zeile {seen[ident]})"
    seen[ident] = number
    return None


def _columns(
    table: Table, label: str, header: list[Any]
) -> tuple[list[tuple[int, str, str]], dict[str, str], list[Issue]]:
    """(cell index, header, field) per used column, field -> header, and header issues."""
    columns: list[tuple[int, str, str]] = []
    headers: dict[str, str] = {}
    issues: list[Issue] = []
    for index, cell in enumerate(header):
        text = parse_text(cell) if not is_blank(cell) else ""
        if not text:
            continue
        name = table.field_for(text)
        if name is None:
            known = ", ".join(table.kinds)
            issues.append(Issue(label, 1, text, f"unbekannte Spalte (bekannt: {known})"))
            continue
        if name == "indicators":
            headers[f"indicators.{indicator_key(text)}"] = text
        elif name in headers:
            issues.append(Issue(label, 1, text, f"Spalte doppelt (wie „{headers[name]}“)"))
            continue
        else:
            headers[name] = text
        columns.append((index, text, name))
    for name in sorted(table.required - set(headers)):
        issues.append(Issue(label, 1, name, "Pflichtspalte fehlt"))
    return columns, headers, issues


@dataclass(frozen=True, slots=True)
class _Column:
    """A used column: where it is, which field it fills and how its cells are read."""

    index: int
    name: str
    convert: Callable[[Any], Any]
    indicator: str | None  # the indicator key of an ``indicators`` column
    verbatim: bool = False  # plain text: a formula-safe cell is taken exactly, not trimmed


def _converter(table: Table, name: str) -> Callable[[Any], Any]:
    """German enum words translated, then the field's parser; worked out once per column
    (per cell it was the largest part of reading a file)."""
    parse = _PARSERS[table.kinds[name]]
    if name not in table.words:
        return parse
    # Enum columns hold a handful of distinct words: remember each one's result.
    memo: dict[str, Any] = {}

    def convert(value: Any) -> Any:
        if not isinstance(value, str):
            return parse(value)
        if value not in memo:
            if len(memo) > 1_000:
                memo.clear()
            memo[value] = parse(table.translate_word(name, value))
        return memo[value]

    return convert


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and (not value or value.isspace()))


def _blank_row(cells: list[Any]) -> bool:
    return all(_blank(cell) for cell in cells)


def _row_data(
    columns: list[_Column], unused: list[int], width: int, cells: list[Any], origin: Origin
) -> tuple[dict[str, Any], list[Issue]]:
    issues = [
        Issue(origin.file, origin.row, None, f"Wert in Spalte {i + 1} ohne Überschrift")
        for i in (*unused, *range(width, len(cells)))
        if i < len(cells) and not _blank(cells[i])
    ] if unused or len(cells) > width else []  # fmt: skip
    data: dict[str, Any] = {}
    indicators: dict[str, Any] = {}
    count = len(cells)
    for column in columns:
        if column.index >= count:
            continue
        value = cells[column.index]
        # _blank inlined: this loop runs for every cell of a file.
        if value is None or value == "" or (value.__class__ is str and value.isspace()):
            continue
        if value.__class__ is str and value[0] == "'":
            # Our own export put one ' before a text a spreadsheet would run as a formula
            # (loaders.values.formula_safe): take exactly that one off again. What follows it
            # is the text as it was (a leading tab included), so plain text is not trimmed.
            restored = formula_restored(value)
            if restored is not value:
                if column.verbatim:
                    data[column.name] = restored
                    continue
                value = restored
        if column.indicator is not None:
            indicators[column.indicator] = column.convert(value)
        else:
            data[column.name] = column.convert(value)
    if indicators:
        data["indicators"] = indicators
    return data, issues


def _issue(origin: Origin, error: Any) -> Issue:
    loc = error.get("loc", ())
    name = str(loc[0]) if loc else ""
    if name == "indicators" and len(loc) > 1:
        name = f"indicators.{loc[1]}"
    return origin.issue(name, german_message(error))


def _attach_history(parsed: ParsedBundle, events: list[tuple[ReferralEventRow, Origin]]) -> None:
    """Fold ``referral_events`` rows into their referral's history, ordered by position."""
    if not events:
        return
    by_referral: dict[str, list[tuple[ReferralEventRow, Origin]]] = {}
    for row, origin in events:
        by_referral.setdefault(row.referral_id, []).append((row, origin))
    referrals = parsed.bundle.referrals
    index = {r.id: i for i, r in enumerate(referrals)}
    for referral_id, rows in by_referral.items():
        if referral_id not in index:
            for _, origin in rows:
                parsed.issues.append(
                    origin.issue("referral_id", f"Überleitung „{referral_id}“ fehlt in referrals")
                )
            continue
        rows.sort(key=lambda pair: pair[0].position)
        positions = [row.position for row, _ in rows]
        if len(set(positions)) != len(positions):
            parsed.issues.append(rows[0][1].issue("position", "Position doppelt"))
            continue
        history = tuple(
            ReferralEvent(status=row.status, at=row.at, by=row.by, note=row.note) for row, _ in rows
        )
        i = index[referral_id]
        referrals[i] = replace(referrals[i], history=history)
