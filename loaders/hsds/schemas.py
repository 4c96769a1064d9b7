"""HSDS records checked against the official HSDS 3.0 JSON schemas (copies in ``schema/``).

Every schema error names the JSON path of the offending value (``$.phones[0].number``), in
German. Fields the schema does not know are no error (HSDS allows extensions) but reported as
warnings, so a publisher sees what verbund keeps without understanding it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from loaders.hsds.quickcheck import INVALID, QuickCheck

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"

# Fields verbund writes beyond HSDS 3.0: HSDS 3.1's service capacities.
EXTENSIONS = frozenset({"capacities"})


@cache
def _registry() -> Registry[Any]:
    return Registry().with_resources(
        (path.name, Resource.from_contents(json.loads(path.read_text("utf-8")), DRAFT202012))
        for path in SCHEMA_DIR.glob("*.json")
    )


@cache
def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"{kind}.json"}, registry=_registry())


def schema_errors(kind: str, value: Any) -> list[tuple[str, str]]:
    """(JSON path, German message) of every way ``value`` breaks the ``kind`` schema."""
    if not _quick().check(f"{kind}.json", value) & INVALID:
        return []
    return _errors(kind, value)


def checked(
    kind: str, value: Any, seen: dict[bytes, int] | None = None
) -> tuple[list[tuple[str, str]], list[str]]:
    """``schema_errors`` and ``unknown_fields`` in one walk of the record; ``seen`` memoises
    repeated organizations and locations (only for strictly decoded JSON, see quickcheck)."""
    flags = _quick().check(f"{kind}.json", value, seen)
    errors = _errors(kind, value) if flags & INVALID else []
    unknown = unknown_fields(kind, value) if flags else []
    return errors, unknown


@cache
def _quick() -> QuickCheck:
    """The quick check (``loaders.hsds.quickcheck``): only a record it refuses goes through
    jsonschema, for the messages."""
    return QuickCheck(_schema, EXTENSIONS)


def _errors(kind: str, value: Any) -> list[tuple[str, str]]:
    errors = sorted(_validator(kind).iter_errors(value), key=lambda e: list(map(str, e.path)))
    return [(_path(error), _german(error)) for error in errors]


def _path(error: ValidationError) -> str:
    path = str(error.json_path)
    if error.validator == "required" and "'" in error.message:
        return f"{path}.{error.message.split(chr(39))[1]}"
    return path


def _german(error: ValidationError) -> str:
    check = str(error.validator)
    expected: Any = error.validator_value
    if check == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        return f"Pflichtfeld „{missing}“ fehlt – bitte ergänzen"
    shown = json.dumps(error.instance, ensure_ascii=False)
    shown = shown if len(shown) <= 60 else shown[:57] + "…"
    if check == "type":
        return f"{_TYPES.get(str(expected), str(expected))} erwartet (Wert: {shown})"
    if check == "enum":
        allowed = ", ".join(str(v) for v in expected)
        return f"Wert {shown} nicht erlaubt – erlaubt sind: {allowed}"
    if check == "format":
        return f"Format {expected} erwartet (Wert: {shown})"
    if check in ("minimum", "maximum"):
        word = "mindestens" if check == "minimum" else "höchstens"
        return f"Zahl {word} {expected} erwartet (Wert: {shown})"
    return f"entspricht nicht dem HSDS-Schema ({check}: {expected}) (Wert: {shown})"


_TYPES = {
    "string": "Text",
    "number": "Zahl",
    "integer": "ganze Zahl",
    "boolean": "true oder false",
    "array": "Liste",
    "object": "Objekt",
}


def unknown_fields(kind: str, value: Any) -> list[str]:
    """The JSON paths of the fields the schema of ``kind`` does not define."""
    return list(_unknown(_schema(f"{kind}.json"), value, "$"))


@cache
def _schema(ref: str) -> dict[str, Any]:
    found: dict[str, Any] = _registry().resolver().lookup(ref).contents
    return found


def _unknown(schema: dict[str, Any], value: Any, path: str) -> Iterator[str]:
    if "$ref" in schema:
        schema = _schema(schema["$ref"])
    if isinstance(value, dict):
        properties = schema.get("properties")
        if not isinstance(properties, dict):
            return
        for key, item in value.items():
            if key in properties:
                yield from _unknown(properties[key], item, f"{path}.{key}")
            elif not (path == "$" and key in EXTENSIONS):
                yield f"{path}.{key}"
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            yield from _unknown(schema["items"], item, f"{path}[{index}]")


@cache
def property_types(kind: str) -> dict[str, str]:
    """The fields of the ``kind`` object and their JSON type (``string``, ``number``, …;
    ``object``/``array`` for nested objects)."""
    properties = _schema(f"{kind}.json").get("properties", {})
    out: dict[str, str] = {}
    for name, spec in properties.items():
        kind_of = spec.get("type", "object" if "$ref" in spec else "string")
        out[name] = kind_of if isinstance(kind_of, str) else str(kind_of[0])
    return out
