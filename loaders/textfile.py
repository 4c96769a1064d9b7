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


class CsvSyntaxError(LoaderError):
    """A CSV file that cannot be read as CSV: where (file, row) and what is wrong."""

    def __init__(self, file: str, row: int | None, message: str) -> None:
        self.file = file
        self.row = row
        self.message = message
        where = f"{file}, Zeile {row}" if row is not None else file
        super().__init__(f"{where}: {message}")


# A UTF-8 umlaut or ß (``ä`` is C3 A4): found in a file that is not UTF-8 as a whole, the
# file mixes encodings (e.g. rows pasted from another file); read as Windows-1252 it would
# silently turn ``ä`` into ``Ã¤``.
_UTF8_GERMAN = (b"\xc3\xa4", b"\xc3\xb6", b"\xc3\xbc", b"\xc3\x9f", b"\xc3\x84", b"\xc3\x96",
                b"\xc3\x9c")  # fmt: skip
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` when the whole file decodes as UTF-8 (BOM or not), ``utf-16`` with a
    UTF-16 BOM (Excel's "Unicode text"), else ``cp1252``; a file that is neither (mixed
    encodings, bytes Windows-1252 does not define) is refused with the row."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        head = fh.read(2)
        if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16"
        fh.seek(0)
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            _check_single_byte(path)
            return "cp1252"
    # utf-8-sig also reads files without a BOM, and drops the BOM when there is one.
    return "utf-8-sig"


def _check_single_byte(path: Path) -> None:
    """Refuse a file that is not UTF-8 but not plain Windows-1252 either."""
    utf8_row: int | None = None
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            try:
                line.decode("utf-8")
                if utf8_row is None and any(seq in line for seq in _UTF8_GERMAN):
                    utf8_row = number
            except UnicodeDecodeError:
                if utf8_row is not None:
                    raise CsvSyntaxError(
                        path.name,
                        number,
                        f"Zeichenkodierung gemischt: diese Zeile ist Windows-1252, Zeile "
                        f"{utf8_row} UTF-8 – bitte die Datei einheitlich als UTF-8 speichern",
                    ) from None
                bad = next((b for b in line if b in _CP1252_UNDEFINED), None)
                if bad is not None:
                    raise CsvSyntaxError(
                        path.name,
                        number,
                        f"Zeichenkodierung nicht erkannt (Byte 0x{bad:02X} ist weder UTF-8 noch "
                        "Windows-1252) – bitte die Datei als UTF-8 speichern",
                    ) from None


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
    """Every row of the file as a list of cells, header first.

    Strict CSV: a quote that is never closed (which would swallow the rest of the file into
    one cell) or text after a closing quote is a CsvSyntaxError naming the row it starts in.
    """
    dialect = dialect or dialect_of(path)
    with path.open(encoding=dialect.encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=dialect.delimiter, strict=True)
        start = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise CsvSyntaxError(path.name, start, _csv_message(str(exc))) from None
            except UnicodeDecodeError as exc:
                raise CsvSyntaxError(
                    path.name,
                    reader.line_num + 1,
                    f"Zeichenkodierung passt nicht ({dialect.encoding}: {exc.reason}) – bitte "
                    "die Datei als UTF-8 speichern",
                ) from None
            yield row
            start = reader.line_num + 1


def _csv_message(text: str) -> str:
    if "unexpected end of data" in text or "EOF" in text:
        return (
            "Anführungszeichen nicht geschlossen (die Zelle reicht bis zum Dateiende) – bitte "
            'das fehlende " ergänzen'
        )
    if "expected after" in text:
        return 'Text nach einem schließenden Anführungszeichen – bitte die Zelle ganz in "…" setzen'
    return f"kein lesbares CSV ({text})"
