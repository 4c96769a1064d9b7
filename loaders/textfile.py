"""Reading CSV files as offices save them: UTF-8 with or without BOM, or Windows-1252;
``,``, ``;`` or tab as separator. Rows are streamed; the file is never held in memory whole.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from loaders.errors import LoaderError

_CHUNK = 1 << 16
# Area geometries exported as GeoJSON text run to megabytes per cell (the csv module's default
# limit is 128 KiB); the limit is process-wide, so it is raised once here.
FIELD_LIMIT = 1 << 28
csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))


@dataclass(frozen=True, slots=True)
class CsvDialect:
    encoding: str
    delimiter: str


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` when the whole file decodes as UTF-8 (BOM or not), else ``cp1252``."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    # utf-8-sig also reads files without a BOM, and drops the BOM when there is one.
    return "utf-8-sig"


def sniff_delimiter(header_line: str) -> str:
    """The separator of a header line: whichever of ``;``, tab and ``,`` occurs most."""
    counts = {sep: header_line.count(sep) for sep in (";", "\t", ",")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def dialect_of(path: Path) -> CsvDialect:
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as fh:
        header = fh.readline()
    return CsvDialect(encoding, sniff_delimiter(header))


def read_rows(path: Path, dialect: CsvDialect | None = None) -> Iterator[list[str]]:
    """Every row of the file as a list of cells, header first."""
    dialect = dialect or dialect_of(path)
    with path.open(encoding=dialect.encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=dialect.delimiter)
        try:
            yield from reader
        except csv.Error as exc:
            raise LoaderError(
                f"{path.name}, Zeile {reader.line_num}: kein lesbares CSV: {exc}"
            ) from None
