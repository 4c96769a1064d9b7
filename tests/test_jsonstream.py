"""Streaming JSON records: every accepted shape, chunk borders anywhere, errors with their
line, and memory bounded by one record rather than the file."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path

import pytest

from loaders import jsonstream
from loaders.hsds.reader import read_hsds
from loaders.jsonstream import JsonSyntaxError, json_records, read_records
from tests.loader_helpers import ROOT

HSDS_EXAMPLE = ROOT / "examples" / "hsds" / "services.json"
RECORDS = [{"id": "a", "n": 1}, {"id": "b", "n": [1.5, None, True]}, 7, "x", -12e3]


def _values(text: str) -> list[object]:
    return [r.value for r in json_records(io.StringIO(text))]


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 16])
def test_array_page_and_single_object_at_any_chunk_size(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(jsonstream, "CHUNK", chunk)
    assert _values(json.dumps(RECORDS)) == RECORDS
    assert _values(json.dumps(RECORDS, indent=2)) == RECORDS
    page = {"total_items": 5, "contents": RECORDS, "last_page": True, "links": {"a": [1]}}
    assert _values(json.dumps(page, indent=1)) == RECORDS
    assert _values(json.dumps({"id": "einzeln", "contents": None})) == [
        {"id": "einzeln", "contents": None}
    ]
    assert _values("  [ ]  ") == []
    assert _values('{"contents": []}') == []


def test_records_know_their_number_and_first_line() -> None:
    text = '[\n  {"id": "a"},\n\n  {"id":\n "b"}, 3\n]\n'
    records = list(json_records(io.StringIO(text)))
    assert [(r.number, r.line) for r in records] == [(1, 2), (2, 4), (3, 5)]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            '[\n{"id": "a"},\n{"id": "b",}\n]',
            3,
            "Expecting property name enclosed in double quotes",
        ),
        ('[\n{"id": "a"}\n{"id": "b"}]', 3, "„,“ oder „]“ erwartet, „{“ gefunden"),
        ('[\n{"id": "a"},\n{"id": "b"', 3, "Expecting ',' delimiter"),
        ('{"contents": [1, 2]', 1, "„,“ oder „}“ erwartet, Dateiende gefunden"),
        ("[1]\n[2]", 2, "weitere Daten nach dem Ende"),
        ("42", 1, "„[“ oder „{“ erwartet, „4“ gefunden"),
    ],
)
def test_syntax_errors_name_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(JsonSyntaxError) as error:
        _values(text)
    assert (error.value.line, error.value.message) == (line, message)


def test_ndjson_reports_a_broken_line_and_reads_on(tmp_path: Path) -> None:
    path = tmp_path / "x.ndjson"
    path.write_text('{"id": "a"}\n\n{"id": \n{"id": "c"}\n', "utf-8")
    records = list(read_records(path))
    assert [(r.number, r.line, r.value, r.error is not None) for r in records] == [
        (1, 1, {"id": "a"}, False),
        (2, 3, None, True),
        (3, 4, {"id": "c"}, False),
    ]


def _big_hsds_file(path: Path, count: int) -> int:
    """``count`` valid service records, each carrying ~10 kB the reader keeps only once: the
    same Träger nested in every service (everything else a record brings is kept, as its
    HSDS rest)."""
    template = json.loads(HSDS_EXAMPLE.read_text("utf-8"))[0]
    organization = dict(template["organization"], alternate_name="x" * 10_000)
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"total_items": ' + str(count) + ', "contents": [\n')
        for i in range(count):
            # Renamed throughout, so the ids of its sub-objects still follow verbund's pattern.
            text = json.dumps(template).replace(f'"{template["id"]}', f'"s-{i}')
            record = dict(json.loads(text), organization=organization)
            fh.write(("," if i else "") + json.dumps(record, indent=1) + "\n")
        fh.write("]}\n")
    return path.stat().st_size


def _peak(fn: object) -> int:
    tracemalloc.start()
    try:
        fn()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# Writes and reads a 20 MB file under tracemalloc (10 s): `make test` only.
@pytest.mark.slow
def test_memory_stays_bounded_by_one_record_not_the_file(tmp_path: Path) -> None:
    path = tmp_path / "seite.json"
    size = _big_hsds_file(path, 1_500)
    assert size > 20_000_000
    count = [0]

    def stream() -> None:
        for _ in read_records(path):
            count[0] += 1

    assert _peak(stream) < size / 30
    assert count[0] == 1_500
    # The whole reader too: what it keeps per service is small, the file is never held whole.
    parsed: list[object] = []
    peak = _peak(lambda: parsed.append(read_hsds(path, "gross")))
    bundle = parsed[0].bundle  # type: ignore[attr-defined]
    assert len(bundle.services) == 1_500
    assert peak < size / 5
