"""Der HSDS-Rest: what an HSDS record holds beyond verbund's own fields, kept to be exported
again.

HSDS has far more than verbund models (programs, schedules with RRULE fields, cost options,
contacts, funding, metadata, ids of every sub-object …). Rather than drop it, the reader keeps
the difference between the record as received and the record verbund's mapping would write
for the imported fields (``difference``); the writer lays it over its own record again
(``overlay``). By construction an unchanged record comes out as it came in, and a record that
is only verbund's own export has no rest at all (re-importing an export changes nothing).

A value verbund maps wins once it is edited in verbund: an overridden value is kept with the
value verbund's mapping gave at import (``$was``) and only laid over while that still holds.
"""

from __future__ import annotations

import json
from typing import Any

Json = Any
_MISSING: Any = object()

IS = "$is"
WAS = "$was"
ITEMS = "$items"
EXTRA = "$extra"


def difference(received: Json, ours: Json) -> Json | None:
    """What ``overlay(ours, rest)`` needs to give ``received`` back (None: nothing)."""
    if _same(received, ours):
        return None
    if isinstance(received, dict) and isinstance(ours, dict):
        rest = {}
        for key, value in received.items():
            sub = difference(value, ours.get(key, _MISSING))
            if sub is not None:
                rest[key] = sub
        return rest or None
    if isinstance(received, list) and isinstance(ours, list):
        items = {}
        for index, item in enumerate(received[: len(ours)]):
            sub = difference(item, ours[index])
            if sub is not None:
                items[str(index)] = sub
        out: dict[str, Any] = {}
        if items:
            out[ITEMS] = items
        if len(received) > len(ours):
            out[EXTRA] = received[len(ours) :]
        return out or None
    return {IS: received} if ours is _MISSING else {IS: received, WAS: ours}


def _same(a: Json, b: Json) -> bool:
    # 100 and 100.0 are one JSON number; True is no number.
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and bool(a == b)


def overlay(ours: Json, rest: Json | None) -> Json:
    """``ours`` with the rest laid over (the inverse of ``difference``)."""
    out = _apply(ours, rest)
    return None if out is _MISSING else out


def _apply(ours: Json, rest: Json | None) -> Json:
    if rest is None:
        return ours
    if IS in rest:
        # Laid over only while verbund's value is still the one it replaced at import.
        return rest[IS] if _same_or_missing(ours, rest.get(WAS, _MISSING)) else ours
    if ITEMS in rest or EXTRA in rest:
        base = ours if isinstance(ours, list) else []
        items = rest.get(ITEMS, {})
        # A sub-object whose base verbund no longer writes is gone with it.
        merged = [_apply(item, items.get(str(i))) for i, item in enumerate(base)]
        return merged + list(rest.get(EXTRA, []))
    if not isinstance(ours, dict):
        return ours
    out = dict(ours)
    for key, sub in rest.items():
        value = _apply(ours.get(key, _MISSING), sub)
        if value is not _MISSING:
            out[key] = value
    return out


def _same_or_missing(a: Json, b: Json) -> bool:
    if a is _MISSING or b is _MISSING:
        return a is b
    return _same(a, b)


def encode(rest: Json | None) -> str | None:
    """The rest as stored: canonical JSON text (the same rest gives the same text)."""
    if rest is None:
        return None
    return json.dumps(rest, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def decode(text: str | None) -> Json | None:
    return json.loads(text) if text else None


def merge(old: Json, new: Json) -> Json:
    """The rest of a member given again: the new one decides, but a sub-object's members it
    leaves out keep their stored rest (a list answer nests fewer members than a full record;
    a partial record never erases). A replaced value and a list's extra items are the new
    ones."""
    if not (isinstance(old, dict) and isinstance(new, dict)) or IS in new or IS in old:
        return new
    if ITEMS in new or EXTRA in new or ITEMS in old or EXTRA in old:
        items = dict(old.get(ITEMS, {}))
        for key, sub in new.get(ITEMS, {}).items():
            items[key] = merge(items.get(key), sub)
        out: dict[str, Any] = {ITEMS: items} if items else {}
        if EXTRA in new:
            out[EXTRA] = new[EXTRA]
        return out
    return {
        key: merge(old.get(key), new[key]) if key in new else old[key] for key in {**old, **new}
    }
