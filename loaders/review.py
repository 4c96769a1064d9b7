"""The review of an import: per record created, changed (each field old → new) or unchanged,
and every error with file, row and column. ``--dry-run``, ``--report json`` and (later) the
coordinator's import page in the browser show the same structure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, Literal

from graph.diff import Plan
from graph.model import KIND_LABELS, NODE_SPECS
from loaders.absent import Stored
from loaders.errors import Issue
from loaders.hsds.rest import decode
from loaders.tabular.reader import ParsedBundle

# "pruned": absent from a complete file, removed with ``--prune`` (not among the counts).
Outcome = Literal["created", "changed", "unchanged", "pruned"]
# A value as a report shows it: text, number, yes/no, empty, or a list of texts.
Shown = str | int | float | bool | None | list[str]

OUTCOMES: tuple[Outcome, ...] = ("created", "changed", "unchanged")


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of a changed record: its column name (English), the value before and after."""

    field: str
    old: Shown
    new: Shown


@dataclass(frozen=True, slots=True)
class RecordReview:
    """What the import does (or did) to one record, and where the record came from."""

    table: str  # bundle table, e.g. "organizations"
    label: str  # node label, e.g. "Organization"
    id: str
    outcome: Outcome
    changes: tuple[FieldChange, ...] = ()
    file: str | None = None
    row: int | None = None


@dataclass(frozen=True, slots=True)
class ImportReview:
    """Everything a person needs to decide about an import; errors mean nothing is written."""

    source: str
    format: str
    dry_run: bool
    records: tuple[RecordReview, ...] = ()
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()
    pruned: tuple[RecordReview, ...] = ()  # records ``--prune`` removes (outcome "pruned")

    def of(self, outcome: Outcome) -> list[RecordReview]:
        if outcome == "pruned":
            return list(self.pruned)
        return [r for r in self.records if r.outcome == outcome]

    def counts(self) -> dict[str, int]:
        """created, changed, unchanged (records) and errors."""
        counts: dict[str, int] = {outcome: 0 for outcome in OUTCOMES}
        for record in self.records:
            counts[record.outcome] += 1
        return {**counts, "errors": len(self.errors)}

    def as_json(self) -> dict[str, Any]:
        """The review as plain JSON data (``verbund import --report json``); ``pruned`` (the
        records ``--prune`` removes) was added after the other keys, which stay as they were."""
        return {
            "source": self.source,
            "format": self.format,
            "dry_run": self.dry_run,
            "counts": self.counts(),
            "created": [_record_json(r) for r in self.of("created")],
            "changed": [
                {
                    **_record_json(r),
                    "fields": [{"field": c.field, "old": c.old, "new": c.new} for c in r.changes],
                }
                for r in self.of("changed")
            ],
            "unchanged": [_record_json(r) for r in self.of("unchanged")],
            "pruned": [_record_json(r) for r in self.pruned],
            "errors": [issue_json(i) for i in self.errors],
            "warnings": [issue_json(i) for i in self.warnings],
        }


def issue_json(issue: Issue) -> dict[str, Any]:
    return {
        "file": issue.file,
        "row": issue.row,
        "column": issue.column,
        "message": issue.message,
        "text": str(issue),
    }


def _record_json(record: RecordReview) -> dict[str, Any]:
    return {
        "type": record.label,
        "table": record.table,
        "id": record.id,
        "file": record.file,
        "row": record.row,
    }


def review_records(parsed: ParsedBundle, plan: Plan, old: Stored) -> tuple[RecordReview, ...]:
    """Each node record of the bundle with the plan's outcome; a changed one with its fields
    old → new (``old``: the stored records of at least the changed ids)."""
    out: list[RecordReview] = []
    for table, label in KIND_LABELS.items():
        records: Sequence[Any] = getattr(parsed.bundle, table)
        outcomes = plan.outcomes.get(label, {})
        known = old.get(table, {})
        origins = parsed.origins.get(table, [])
        for index, record in enumerate(records):
            origin = origins[index] if index < len(origins) else None
            where = (origin.file, origin.row) if origin is not None and origin.row else (None, None)
            outcome: Outcome = _OUTCOMES.get(outcomes.get(record.id, ""), "created")
            before = known.get(record.id)
            changes = field_changes(before, record) if outcome == "changed" and before else ()
            out.append(RecordReview(table, label, record.id, outcome, changes, *where))
    return tuple(out)


_OUTCOMES: dict[str, Outcome] = {o: o for o in OUTCOMES}


def changed_ids(plan: Plan) -> dict[str, list[str]]:
    """Per bundle table, the ids the plan would change (their stored versions are read)."""
    return {
        table: [i for i, kind in plan.outcomes.get(label, {}).items() if kind == "changed"]
        for table, label in KIND_LABELS.items()
    }


def field_changes(old: Any, new: Any) -> tuple[FieldChange, ...]:
    """The fields in which two records of one type differ, in field order."""
    linked = {rel.field for rel in NODE_SPECS[type(new)].rels}
    changes: list[FieldChange] = []
    for f in fields(new):
        name = f.name
        if name == "id":
            continue
        before, after = getattr(old, name), getattr(new, name)
        if name == "indicators":
            changes += _indicator_changes(before, after)
        elif name == "hsds":
            if before != after:
                changes.append(FieldChange(name, *_rest_members(before, after)))
        elif name in linked and name != "history":
            if _ids(before) != _ids(after):
                changes.append(FieldChange(name, shown(before), shown(after)))
        elif not _same(before, after):
            changes.append(FieldChange(name, shown(before), shown(after)))
    return tuple(changes)


def _rest_members(before: str | None, after: str | None) -> tuple[Shown, Shown]:
    """The HSDS rest is JSON text of any length: a review names the members that differ
    (``phones``, ``schedules`` …), not the whole text."""
    old, new = decode(before) or {}, decode(after) or {}
    differing = sorted(k for k in {**old, **new} if old.get(k) != new.get(k))
    return [k for k in differing if k in old], [k for k in differing if k in new]


def _indicator_changes(
    before: Mapping[str, float], after: Mapping[str, float]
) -> list[FieldChange]:
    return [
        FieldChange(f"indicator_{key}", before.get(key), after.get(key))
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]


def _ids(value: Any) -> tuple[str, ...]:
    """Relationship targets as the graph keeps them: a set of ids (no order, no empty id)."""
    if isinstance(value, tuple | list):
        return tuple(sorted(v for v in value if v))
    return (value,) if value else ()


def _same(before: Any, after: Any) -> bool:
    if isinstance(before, tuple | list) and isinstance(after, tuple | list):
        return tuple(before) == tuple(after)
    return bool(before == after)


def shown(value: Any) -> Shown:
    """A field value as text a report can show (dates ISO 8601, lists as lists of texts)."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_item(v) for v in value]
    return str(value)


def _item(value: Any) -> str:
    status = getattr(value, "status", None)
    at = getattr(value, "at", None)
    if status is not None and isinstance(at, datetime):
        # A status event of a referral's history.
        return f"{status} {at.isoformat()}"
    shown_value = shown(value)
    return shown_value if isinstance(shown_value, str) else str(shown_value)
