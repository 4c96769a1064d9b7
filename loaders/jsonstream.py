"""Records of a large JSON file one at a time, never holding the whole file in memory.

Accepted shapes (what HSDS publishers serve): a top-level array of records, a page object whose
``contents`` member is that array (other members are kept aside), a single record object, or
NDJSON (one record per line); GeoJSON's ``features`` are read the same way. The decoder keeps
one buffered chunk plus the record being decoded: ``json.JSONDecoder.raw_decode`` decodes each
element from the buffer, which grows only while an element is incomplete. NDJSON is read as bytes
and its lines decoded by orjson (strict JSON, several times faster); a line it refuses, or
one with a digit run too long for its 64-bit integers (it would give a float), is decoded by
the standard decoder, which accepts what it always did (``NaN``, any integer) and words the
error.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import orjson

CHUNK = 1 << 16
_WHITESPACE = " \t\n\r"
# Integers orjson keeps exact have at most 19 digits (up to 2**64 - 1). A line is mapped
# digits -> "0", everything else -> " " and searched for 20 zeros (a longer digit run in a
# string only sends the line the slow way).
_DIGITS = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_RUN = b"0" * 20


@dataclass(frozen=True, slots=True)
class JsonRecord:
    """One record: its number (1-based, in file order), the line it starts on, its value."""

    number: int
    line: int
    value: Any
    # NDJSON: a broken line is reported and the next line read on.
    error: str | None = None
    # No NaN or Infinity in it: its compact JSON text (orjson) then tells it apart from
    # every other value (orjson writes NaN as null).
    finite: bool = True


class JsonSyntaxError(Exception):
    """The file is not JSON of an accepted shape; ``line`` is where reading stopped."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


class _Reader:
    """A window on a text stream: ``buf[pos:]`` is unread; lines before ``buf`` are counted."""

    def __init__(self, fh: TextIO) -> None:
        self.fh = fh
        self.buf = ""
        self.pos = 0
        self.lines_before = 0
        self.eof = False
        self.nonfinite = 0  # NaN/Infinity constants decoded so far
        self.decoder = json.JSONDecoder(parse_constant=self._constant)

    def _constant(self, name: str) -> float:
        self.nonfinite += 1
        return float(name)

    def line_at(self, pos: int) -> int:
        return self.lines_before + self.buf.count("\n", 0, pos) + 1

    def more(self) -> bool:
        """Read another chunk, dropping what is consumed; False at the end of the file."""
        if self.eof:
            return False
        if self.pos:
            self.lines_before += self.buf.count("\n", 0, self.pos)
            self.buf = self.buf[self.pos :]
            self.pos = 0
        # Read at least as much as is buffered, so a huge record is re-decoded O(log n) times.
        chunk = self.fh.read(max(CHUNK, len(self.buf)))
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def peek(self) -> str:
        """The next non-whitespace character ('' at the end), without consuming it."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def expect(self, chars: str, what: str) -> str:
        char = self.peek()
        if not char or char not in chars:
            found = f"„{char}“" if char else "Dateiende"
            raise JsonSyntaxError(self.line_at(self.pos), f"{what} erwartet, {found} gefunden")
        self.pos += 1
        return char

    def value(self) -> tuple[int, Any]:
        """(line it starts on, decoded value) of the next JSON value."""
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # Incomplete in the buffer, or really broken: only the end of the file tells.
                line = self.line_at(exc.pos)
                if self.more():
                    continue
                raise JsonSyntaxError(line, exc.msg) from None
            # A number at the end of the buffer may continue in the next chunk.
            if end == len(self.buf) and not self.eof and self.more():
                continue
            line = self.line_at(self.pos)
            self.pos = end
            return line, value


def _array(reader: _Reader, first_number: int = 1) -> Iterator[JsonRecord]:
    """The elements of the array whose ``[`` was just consumed."""
    number = first_number
    if reader.peek() == "]":
        reader.pos += 1
        return
    while True:
        nonfinite = reader.nonfinite
        line, value = reader.value()
        yield JsonRecord(number, line, value, finite=reader.nonfinite == nonfinite)
        number += 1
        if reader.expect(",]", "„,“ oder „]“") == "]":
            return


@dataclass(slots=True)
class JsonDocument:
    """What a streamed document holds besides its records, filled in while reading: the
    top-level members (up to the record array: those before it, e.g. GeoJSON's ``crs``) and
    whether the records came from the array member."""

    shape: str = ""  # "[" or "{"
    members: dict[str, Any] = field(default_factory=dict)
    streamed: bool = False


def _object(
    reader: _Reader, member: str, document: JsonDocument, whole: bool
) -> Iterator[JsonRecord]:
    """The array ``member`` streamed; without it the object itself is one record (``whole``)."""
    start_line = reader.line_at(reader.pos - 1)
    members = document.members
    if reader.peek() == "}":
        reader.pos += 1
    else:
        while True:
            if reader.peek() != '"':
                reader.expect('"', "Name in Anführungszeichen")
            _, key = reader.value()
            reader.expect(":", "„:“")
            if key == member and not document.streamed and reader.peek() == "[":
                reader.pos += 1
                document.streamed = True
                yield from _array(reader)
            else:
                _, members[key] = reader.value()
            if reader.expect(",}", "„,“ oder „}“") == "}":
                break
    if not document.streamed and whole:
        yield JsonRecord(1, start_line, members, finite=reader.nonfinite == 0)


def _end(reader: _Reader) -> None:
    if reader.peek():
        raise JsonSyntaxError(reader.line_at(reader.pos), "weitere Daten nach dem Ende")


def json_records(
    fh: TextIO,
    member: str = "contents",
    document: JsonDocument | None = None,
    *,
    whole: bool = True,
) -> Iterator[JsonRecord]:
    """Records of a JSON document: a top-level array, the array ``member`` of an object (a
    page's ``contents``, a FeatureCollection's ``features``), or (``whole``) one object."""
    document = document if document is not None else JsonDocument()
    reader = _Reader(fh)
    document.shape = reader.expect("[{", "„[“ oder „{“")
    if document.shape == "[":
        yield from _array(reader)
    else:
        yield from _object(reader, member, document, whole)
    _end(reader)


def ndjson_records(fh: BinaryIO) -> Iterator[JsonRecord]:
    """Records of NDJSON (JSON Lines, UTF-8, lines end in ``\\n``); blank lines are skipped."""
    number = 0
    for line_number, line in enumerate(fh, start=1):
        if line_number == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8) :]
        if not line.strip():
            continue
        number += 1
        if _LONG_RUN in line.translate(_DIGITS):
            record = _lenient(number, line_number, line)
        else:
            try:
                record = JsonRecord(number, line_number, orjson.loads(line))
            except orjson.JSONDecodeError:
                record = _lenient(number, line_number, line)
        yield record


def _lenient(number: int, line_number: int, line: bytes) -> JsonRecord:
    """A line as the standard decoder reads it (or its error); text not in UTF-8 raises
    ``UnicodeDecodeError`` as a text file would."""
    nonfinite: list[str] = []

    def constant(name: str) -> float:
        nonfinite.append(name)
        return float(name)

    try:
        value = json.loads(line.decode("utf-8"), parse_constant=constant)
    except json.JSONDecodeError as exc:
        return JsonRecord(number, line_number, None, exc.msg)
    return JsonRecord(number, line_number, value, finite=not nonfinite)


def read_records(path: Path) -> Iterator[JsonRecord]:
    """Records of ``path`` (UTF-8, BOM allowed), NDJSON by suffix ``.ndjson``/``.jsonl``."""
    if path.suffix.lower() in (".ndjson", ".jsonl"):
        with path.open("rb") as binary:
            yield from ndjson_records(binary)
    else:
        with path.open(encoding="utf-8-sig") as fh:
            yield from json_records(fh)
