"""Write a Bundle as the canonical tabular bundle: a folder of CSV files or one XLSX workbook.

CSV files are UTF-8 with BOM and ``;`` as separator (what German Excel opens directly);
lists are joined with ``|``, dates and timestamps are ISO 8601, so re-importing is lossless.
Text that a spreadsheet would run as a formula gets a leading ``'`` (``formula_safe``); the
reader takes exactly that ``'`` off again.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from graph.bundle import Bundle
from loaders.errors import LoaderError
from loaders.tabular.tables import INDICATOR_PREFIX, TABLES, ReferralEventRow, Table
from loaders.values import formula_safe

XLSX_CELL_LIMIT = 32_767


def _cell(value: Any) -> str:
    """The cell text; text (and joined lists) formula-safe, numbers and dates as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple):
        return formula_safe("|".join(value))
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)  # a negative number stays a number
    return formula_safe(str(value))


def _records(bundle: Bundle, table: Table) -> list[Any]:
    if table.name == "referral_events":
        return [
            ReferralEventRow(
                referral_id=r.id,
                position=i,
                status=e.status,
                at=e.at,
                by=e.by,
                note=e.note,
                source=r.source,
            )
            for r in bundle.referrals
            for i, e in enumerate(r.history)
        ]
    records: list[Any] = getattr(bundle, table.name)
    return records


def table_rows(bundle: Bundle, table: Table) -> Iterator[list[str]]:
    """Header, then one row per record (indicators spread over ``indicator_<key>`` columns)."""
    records = _records(bundle, table)
    columns = [name for name in table.kinds if name not in ("indicators", "history")]
    indicator_keys: list[str] = []
    if "indicators" in table.kinds:
        indicator_keys = sorted({k for r in records for k in r.indicators})
    yield columns + [INDICATOR_PREFIX + k for k in indicator_keys]
    for record in records:
        row = [_cell(getattr(record, name)) for name in columns]
        if indicator_keys:
            row += [_cell(record.indicators.get(k)) for k in indicator_keys]
        yield row


def _tables(bundle: Bundle) -> Iterator[Table]:
    for table in TABLES:
        if _records(bundle, table):
            yield table


def write_csv_folder(bundle: Bundle, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in _tables(bundle):
        path = folder / f"{table.name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh, delimiter=";").writerows(table_rows(bundle, table))
        written.append(path)
    return written


def write_xlsx(bundle: Bundle, path: Path) -> None:
    from openpyxl import Workbook

    # Checked before the workbook exists: a half-written write-only workbook complains on exit.
    for table in _tables(bundle):
        for number, row in enumerate(table_rows(bundle, table), start=1):
            for value in row:
                if len(value) > XLSX_CELL_LIMIT:
                    raise LoaderError(
                        f"{table.name}, Zeile {number}: Wert länger als {XLSX_CELL_LIMIT} Zeichen "
                        "(Excel-Grenze; z. B. Geometrien) – bitte als CSV exportieren"
                    )
    workbook = Workbook(write_only=True)
    for table in _tables(bundle):
        sheet = workbook.create_sheet(table.name)
        for row in table_rows(bundle, table):
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
