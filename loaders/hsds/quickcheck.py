"""The quick HSDS schema check: each schema compiled once into small Python functions that
walk a record once and answer two questions, is it valid and may it hold fields the schema
does not know.

It checks exactly the keywords the HSDS 3.0 schemas assert with (``$ref``, ``type``,
``enum``, ``required``, ``properties``, ``items``; ``format`` is an annotation in draft
2020-12). A schema using any other asserting keyword answers "invalid", so the caller asks
the general validator (jsonschema), which also words the messages. Both answers may err only
towards "look closer": the caller then takes the slow, exact path.

Services repeat their organization and locations in full; an object met before (same
``fingerprint``: a 128-bit hash of its compact JSON text, exact for strictly decoded JSON)
is not walked again when the caller passes a ``seen`` memo.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import orjson

OK = 0
UNKNOWN = 1  # may hold fields the schema does not define
INVALID = 2  # breaks the schema, or this check cannot tell

Check = Callable[[Any, "dict[bytes, int] | None"], int]

# Keywords that assert something and that this check does not implement.
OTHER_ASSERTIONS = frozenset(
    {
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "if",
        "const",
        "pattern",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "uniqueItems",
        "additionalProperties",
        "patternProperties",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "contains",
        "dependentRequired",
        "dependentSchemas",
        "prefixItems",
        "unevaluatedProperties",
        "unevaluatedItems",
        "propertyNames",
        "minProperties",
        "maxProperties",
        "$dynamicRef",
    }
)

# Objects that repeat across records (a service's organization and locations, a term).
MEMO_REFS = frozenset({"organization.json", "location.json", "taxonomy_term.json"})
# The memo is cleared when it grows past this: repeats come close together in real feeds.
MEMO_SIZE = 20_000


def fingerprint(tag: bytes, value: Any) -> bytes | None:
    """A key for ``value`` (None: it has no compact JSON form, e.g. an integer past 64 bits).
    orjson writes NaN as null: only for values decoded without NaN/Infinity."""
    try:
        text = orjson.dumps(value)
    except (orjson.JSONEncodeError, TypeError):
        return None
    return hashlib.blake2b(tag + text, digest_size=16).digest()


def remember(memo: dict[bytes, Any], key: bytes, value: Any) -> None:
    """Keep ``value`` under ``key``, the memo emptied first when full."""
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[key] = value


def is_type(value: Any, name: str) -> bool:
    if name == "string":
        return isinstance(value, str)
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if name == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if name == "boolean":
        return isinstance(value, bool)
    if name == "array":
        return isinstance(value, list)
    if name == "object":
        return isinstance(value, dict)
    if name == "null":
        return value is None
    return False


def in_enum(value: Any, allowed: list[Any]) -> bool:
    return any(value == a and isinstance(value, bool) == isinstance(a, bool) for a in allowed)


def _undecided(value: Any, seen: dict[bytes, int] | None) -> int:
    return INVALID


class QuickCheck:
    """Compiled checks of the schemas ``lookup`` resolves by ``$ref`` name; ``extensions``
    are top-level fields of a record that count as known."""

    def __init__(self, lookup: Callable[[str], dict[str, Any]], extensions: frozenset[str]):
        self._lookup = lookup
        self._extensions = extensions
        self._refs: dict[tuple[str, bool], Check] = {}

    def check(self, ref: str, value: Any, seen: dict[bytes, int] | None = None) -> int:
        """``OK``, or ``UNKNOWN`` and/or ``INVALID`` flags, for ``value`` against ``ref``."""
        return self._ref(ref, True)(value, seen)

    def _ref(self, ref: str, top: bool) -> Check:
        key = (ref, top)
        found = self._refs.get(key)
        if found is None:
            # Schemas refer to each other (organization ↔ service): while one is compiled,
            # a reference back to it goes through the table.
            self._refs[key] = lambda value, seen: self._refs[key](value, seen)
            found = self._compile(self._lookup(ref), top)
            if ref in MEMO_REFS:
                found = _memoised(ref.encode(), found)
            self._refs[key] = found
        return found

    def _compile(self, schema: Any, top: bool = False) -> Check:
        if not isinstance(schema, dict) or schema.keys() & OTHER_ASSERTIONS:
            return _undecided
        ref = schema.get("$ref")
        kind = schema.get("type")
        kinds = tuple(kind if isinstance(kind, list) else [kind]) if kind is not None else None
        enum = schema.get("enum")
        required = tuple(schema.get("required", ()))
        raw_properties = schema.get("properties")
        has_items = "items" in schema
        if ref is not None and not (kinds or enum or required or raw_properties or has_items):
            return self._ref(ref, False)
        items = self._compile(schema["items"]) if has_items else None
        # Fields whose schema is one plain type (most of them) are checked inline.
        leaves: dict[str, type] = {}
        checks: dict[str, Check] = {}
        for name, sub in (raw_properties or {}).items() if isinstance(raw_properties, dict) else ():
            plain = _plain_type(sub)
            if plain is not None:
                leaves[name] = plain
            else:
                checks[name] = self._compile(sub)
        # Unknown fields are told by the schema a ``$ref`` points to, as ``unknown_fields``.
        tells_unknown = ref is None and isinstance(raw_properties, dict)
        extensions = self._extensions if top else frozenset()
        target = self._ref(ref, False) if ref is not None else None
        single = _PLAIN.get(kinds[0]) if kinds is not None and len(kinds) == 1 else None

        def check(value: Any, seen: dict[bytes, int] | None) -> int:
            flags = OK
            if target is not None:
                flags = target(value, seen)
                if flags & INVALID:
                    return flags
            if single is not None:
                if not isinstance(value, single):
                    return INVALID
            elif kinds is not None and not any(is_type(value, k) for k in kinds):
                return INVALID
            if enum is not None and not in_enum(value, enum):
                return INVALID
            if isinstance(value, dict):
                for key in required:
                    if key not in value:
                        return INVALID
                for key, item in value.items():
                    leaf = leaves.get(key)
                    if leaf is not None:
                        if not isinstance(item, leaf):
                            return INVALID
                        continue
                    sub = checks.get(key)
                    if sub is not None:
                        flags |= sub(item, seen)
                        if flags & INVALID:
                            return flags
                    elif tells_unknown and key not in extensions:
                        flags |= UNKNOWN
            elif isinstance(value, list) and items is not None:
                for item in value:
                    flags |= items(item, seen)
                    if flags & INVALID:
                        return flags
            return flags

        return check


# JSON types that one Python type decides (``isinstance(True, bool)`` but not of ``int``
# here: numbers need ``is_type``).
_PLAIN: dict[str, type] = {"string": str, "boolean": bool, "array": list, "object": dict}


def _plain_type(schema: Any) -> type | None:
    """The Python type a schema asks for, where that type alone decides it."""
    if not isinstance(schema, dict) or schema.keys() & (OTHER_ASSERTIONS | _STRUCTURE):
        return None
    kind = schema.get("type")
    return _PLAIN.get(kind) if isinstance(kind, str) else None


_STRUCTURE = frozenset({"$ref", "enum", "required", "properties", "items"})


def _memoised(ref: bytes, check: Check) -> Check:
    def memoised(value: Any, seen: dict[bytes, int] | None) -> int:
        if seen is None or not isinstance(value, dict):
            return check(value, seen)
        key = fingerprint(ref, value)
        if key is None:
            return check(value, seen)
        flags = seen.get(key)
        if flags is None:
            flags = check(value, seen)
            remember(seen, key, flags)
        return flags

    return memoised
