"""Findings tables as files: CSV (UTF-8 with BOM, ``;``, as German Excel opens it) and XLSX.

Text cells are formula-safe (``loaders.values.formula_safe``: a Träger named ``=HYPERLINK(…)``
stays text); numbers stay numbers, a hidden count is the text "unter 5" in both formats.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from loaders.values import formula_safe

Cell = str | int | float | None


def _safe(value: Cell) -> Cell:
    return formula_safe(value) if isinstance(value, str) else value


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([formula_safe(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else _safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    # Excel allows 31 characters and no []:*?/\ in a sheet name; the titles have none.
    sheet = workbook.create_sheet(title[:31])
    sheet.append([formula_safe(h) for h in header])
    for row in rows:
        sheet.append([_safe(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
