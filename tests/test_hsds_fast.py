"""The fast HSDS read path gives what the plain one gave: NDJSON decoded by orjson keeps every
value the standard decoder kept, the compiled schema check (with its memo of repeated
organizations and locations) agrees with jsonschema and finds the same unknown fields, and a
repeated nested object is still checked and reported in every record that differs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from loaders.hsds.reader import read_hsds
from loaders.hsds.schemas import checked, unknown_fields
from loaders.jsonstream import read_records
from tests.loader_helpers import ROOT, first_per_field, shared_data

HSDS_EXAMPLE = ROOT / "examples" / "hsds" / "services.json"
EXAMPLES = shared_data() / "hsds" / "examples"


def test_ndjson_keeps_long_integers_nan_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "x.ndjson"
    big = 123456789012345678901234567890
    lines = [
        '{"id": "a", "n": ' + str(big) + "}",
        '{"id": "b", "n": NaN}',
        '{"id": "c", "n": 18446744073709551615, "t": "Straße"}',
    ]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    records = list(read_records(path))
    assert records[0].value == {"id": "a", "n": big}
    assert isinstance(records[0].value["n"], int)
    assert records[1].value["n"] != records[1].value["n"]  # NaN, as the standard decoder
    assert [r.finite for r in records] == [True, False, True]
    assert records[2].value == {"id": "c", "n": 18446744073709551615, "t": "Straße"}
    assert [r.line for r in records] == [1, 2, 3]


def test_ndjson_not_in_utf8_is_refused_as_before(tmp_path: Path) -> None:
    path = tmp_path / "x.ndjson"
    path.write_bytes('{"id": "s1", "name": "Stra\xdfe"}\n'.encode("latin-1"))
    parsed = read_hsds(path, "x")
    (issue,) = parsed.issues
    assert issue.message.startswith("nicht UTF-8: ")
    assert parsed.bundle.services == []


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


def _set(record: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(record))
    target = copy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return copy


# Every leaf of the full example (4,000 checks, a minute on a busy machine) only in `make test`;
# `make test-fast` mutates the first leaf of each top-level field.
EVERY_LEAF = [
    pytest.param(False, id="sample"),
    pytest.param(True, id="every-leaf", marks=pytest.mark.slow),
]


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="../shared/data/hsds fehlt")
@pytest.mark.parametrize("every_leaf", EVERY_LEAF)
def test_memoised_check_agrees_with_jsonschema_and_finds_the_same_unknown_fields(
    every_leaf: bool,
) -> None:
    from jsonschema import Draft202012Validator

    from loaders.hsds.schemas import _registry

    record = json.loads((EXAMPLES / "service_full.json").read_text("utf-8"))
    full = Draft202012Validator({"$ref": "service.json"}, registry=_registry())
    seen: dict[bytes, int] = {}
    checked_count = 0
    paths = _leaves(record)
    if not every_leaf:
        paths = first_per_field(paths, lambda path: path[0])
    for path in paths:
        for other in (5, "fünf", True, None):
            # Each mutation twice, between others: the memo must never answer for a
            # different object, and must answer the same for the same one.
            for mutated in (_set(record, path, other), record, _set(record, path, other)):
                errors, unknown = checked("service", mutated, seen)
                assert (errors == []) == full.is_valid(mutated), path
                assert unknown == unknown_fields("service", mutated)
                checked_count += 1
    extended = dict(record, eigenes_feld=1, organization=dict(record["organization"], x=2))
    assert checked("service", extended, seen)[1] == ["$.organization.x", "$.eigenes_feld"]
    assert checked_count > (3000 if every_leaf else 300)


def _services(count: int) -> list[dict[str, Any]]:
    template = json.loads(HSDS_EXAMPLE.read_text("utf-8"))[0]
    out = []
    for i in range(count):
        text = json.dumps(template).replace(f'"{template["id"]}', f'"s-{i}')
        out.append(json.loads(text))
    return out


def _ndjson(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


def test_a_repeated_bad_organization_is_refused_in_every_record(tmp_path: Path) -> None:
    records = _services(3)
    for record in records[1:]:
        record["organization"]["phones"] = [{"id": "p", "number": 12345}]
    parsed = read_hsds(_ndjson(tmp_path / "s.ndjson", records), "x")
    assert [(i.row, i.column) for i in parsed.issues] == [
        (2, "$.organization.phones[0].number"),
        (3, "$.organization.phones[0].number"),
    ]


def test_a_repeated_location_warns_in_every_record(tmp_path: Path) -> None:
    records = _services(3)
    for record in records:
        record["service_at_locations"][0]["location"]["latitude"] = 148.0
    parsed = read_hsds(_ndjson(tmp_path / "s.ndjson", records), "x")
    warned = [w.row for w in parsed.warnings if "WGS84" in w.message]
    assert warned == [1, 2, 3]
    assert parsed.issues == []


def test_nan_and_null_are_not_taken_for_the_same_location(tmp_path: Path) -> None:
    """orjson writes NaN as null: a record holding NaN is never memoised, so the same
    location with ``null`` later is still checked (and refused: latitude is a number)."""
    records = _services(2)
    location = records[0]["service_at_locations"][0]["location"]
    lines = [
        json.dumps(records[0]).replace(json.dumps(location["latitude"]), "NaN", 1),
        json.dumps(records[1]).replace(json.dumps(location["latitude"]), "null", 1),
    ]
    path = tmp_path / "s.ndjson"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    parsed = read_hsds(path, "x")
    assert [(i.row, i.column) for i in parsed.issues] == [
        (2, "$.service_at_locations[0].location.latitude")
    ]
