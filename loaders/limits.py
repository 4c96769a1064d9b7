"""Limits Neo4j enforces, checked before the first write.

An indexed text property (every ``id``, names, statuses) must fit an index key: Neo4j refuses
a key over about 8 KB only when the row is written, after earlier batches were committed. We
refuse far below that, with file, row and column, so a 2 000-character name is a clear error
and not a half-written import. Other texts are capped so one cell cannot blow up a batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields, replace
from typing import Any

from graph.migrations import RANGE_INDEXES
from graph.model import KIND_LABELS
from loaders.errors import Issue
from loaders.tabular.reader import Origin, ParsedBundle

ID_MAX = 200
INDEXED_TEXT_MAX = 300
TEXT_MAX = 20_000
# Names and titles are shown in lists and sorted on: short, indexed or not.
NAMES = frozenset({"name", "title"})
# Texts that may be long by nature (GeoJSON geometries run to megabytes; the HSDS rest of a
# record is as long as the record the source sent).
UNLIMITED = frozenset({"geometry", "hsds"})

_INDEXED: dict[str, frozenset[str]] = {}
for _label, _prop in RANGE_INDEXES:
    _INDEXED[_label] = _INDEXED.get(_label, frozenset()) | {_prop}


def limit_of(label: str, name: str) -> int | None:
    """The most characters a text field of a label may hold (None: no limit)."""
    if name in UNLIMITED:
        return None
    if name == "id" or name.endswith("_id") or name.endswith("_ids"):
        return ID_MAX
    if name in _INDEXED.get(label, frozenset()) or name in NAMES:
        return INDEXED_TEXT_MAX
    return TEXT_MAX


def check_limits(parsed: ParsedBundle) -> list[Issue]:
    """Every text of every record that is longer than its limit, with its position."""
    issues: list[Issue] = []
    for table, label in KIND_LABELS.items():
        records: list[Any] = getattr(parsed.bundle, table)
        origins = parsed.origins.get(table, [])
        for index, record in enumerate(records):
            origin = origins[index] if index < len(origins) else None
            for name, text in _texts(record):
                limit = limit_of(label, name)
                if limit is not None and len(text) > limit:
                    issues.append(_issue(table, origin, name, len(text), limit))
        if table == "referrals":
            issues += _event_limits(records)
    return issues


def _event_limits(records: list[Any]) -> list[Issue]:
    """Status events: named by their referral and position (their rows are folded into the
    referral's history, which keeps no row numbers)."""
    issues: list[Issue] = []
    for referral in records:
        for position, event in enumerate(referral.history):
            for name in ("by", "note", "status"):
                text = getattr(event, name)
                limit = INDEXED_TEXT_MAX if name != "note" else TEXT_MAX
                if isinstance(text, str) and len(text) > limit:
                    issue = _issue("referral_events", None, name, len(text), limit)
                    where = f" (Überleitung „{referral.id}“, {position + 1}. Statuswechsel)"
                    issues.append(replace(issue, message=issue.message + where))
    return issues


def _texts(record: Any) -> Iterator[tuple[str, str]]:
    for f in fields(record):
        value = getattr(record, f.name)
        if isinstance(value, str):
            yield f.name, value
        elif isinstance(value, tuple):
            yield from ((f.name, v) for v in value if isinstance(v, str))


def _issue(table: str, origin: Origin | None, name: str, length: int, limit: int) -> Issue:
    message = (
        f"zu lang: {length} Zeichen, höchstens {limit} erlaubt – bitte kürzen "
        "(ein so langer Wert passt nicht in den Index der Datenbank)"
        if limit < TEXT_MAX
        else f"zu lang: {length} Zeichen, höchstens {limit} erlaubt – bitte kürzen"
    )
    if origin is None:
        return Issue(table, None, name, message)
    return origin.issue(name, message)
