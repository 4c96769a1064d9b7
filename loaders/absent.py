"""Partial files never erase: a field the input has no column for keeps its stored value.

An import of ``traeger.csv`` with only ``id;name`` renames Träger and leaves their e-mail,
phone and website as they are. Clearing a value needs the column with an empty cell. Only
records that already exist are completed; a new record gets the defaults of absent fields.
JSON records say it per record (``ParsedBundle.record_columns``): an HSDS organization
without ``phones`` keeps its stored phone, and its stored HSDS rest keeps the members the
record leaves out (``hsds.<member>`` names a given member).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from typing import Any

from graph.bundle import Bundle
from graph.connection import Graph
from graph.imports import stored_memberships
from graph.model import KIND_LABELS
from graph.readback import records_by_id
from loaders.hsds.rest import decode, encode, merge
from loaders.tabular.reader import ParsedBundle

# Per bundle table (node kinds only): the stored records among the import's ids, by id.
Stored = dict[str, dict[str, Any]]

_ALWAYS = frozenset({"id", "source"})


def stored_records(
    graph: Graph, bundle: Bundle, wanted: Mapping[str, Iterable[str]] | None = None
) -> Stored:
    """The records the graph already holds, per table: of the ids in ``wanted`` (table ->
    ids), or of all the bundle's ids (one read per kind)."""
    stored: Stored = {}
    for table in KIND_LABELS:
        records = getattr(bundle, table)
        if not records:
            continue
        ids = (r.id for r in records) if wanted is None else wanted.get(table)
        if ids is not None:
            stored[table] = records_by_id(graph, type(records[0]), ids)
    return stored


def partial_ids(parsed: ParsedBundle) -> dict[str, list[str]]:
    """The ids of the node tables the input gives only some columns of (to be completed)."""
    ids = {
        table: [r.id for r in getattr(parsed.bundle, table)]
        for table in parsed.columns
        if table in KIND_LABELS
    }
    for table, per_record in parsed.record_columns.items():
        if table in KIND_LABELS:
            ids.setdefault(table, []).extend(per_record)
    return ids


def keep_absent(graph: Graph, parsed: ParsedBundle, stored: Stored) -> None:
    """Fill the fields the input has no column for from the stored records, in place."""
    present = parsed.columns.get("memberships")
    if present is not None and not {"role", "since"} <= present:
        _keep_memberships(graph, parsed, present)
    for table, present in parsed.columns.items():
        known = stored.get(table)
        if not known:
            continue
        records: list[Any] = getattr(parsed.bundle, table)
        for index, record in enumerate(records):
            old = known.get(record.id)
            if old is not None:
                records[index] = _completed(record, old, present)
    for table, per_record in parsed.record_columns.items():
        known = stored.get(table)
        if not known:
            continue
        records = getattr(parsed.bundle, table)
        for index, record in enumerate(records):
            old, given = known.get(record.id), per_record.get(record.id)
            if old is not None and given is not None:
                records[index] = _completed(record, old, given)


def _keep_memberships(graph: Graph, parsed: ParsedBundle, present: frozenset[str]) -> None:
    memberships = parsed.bundle.memberships
    known = stored_memberships(graph, ((m.organization_id, m.network_id) for m in memberships))
    for index, membership in enumerate(memberships):
        old = known.get((membership.organization_id, membership.network_id))
        if old is not None:
            kept = {k: v for k, v in old.items() if k not in present and v is not None}
            memberships[index] = replace(membership, **kept)


def _completed(record: Any, old: Any, present: frozenset[str]) -> Any:
    updates: dict[str, Any] = {}
    for f in fields(record):
        name = f.name
        if name in _ALWAYS or name in present:
            continue
        if name == "indicators":
            updates[name] = _indicators(record.indicators, old.indicators, present)
        elif name == "hsds":
            updates[name] = _rest(record.hsds, old.hsds, present)
        else:
            updates[name] = getattr(old, name)
    return replace(record, **updates) if updates else record


def _indicators(
    new: Mapping[str, float], old: Mapping[str, float], present: frozenset[str]
) -> dict[str, float]:
    """Stored indicators without a column of their own stay; a present column decides (an
    empty cell in it removes the indicator)."""
    given = {name.split(".", 1)[1] for name in present if name.startswith("indicators.")}
    kept = {key: value for key, value in old.items() if key not in given}
    return {**kept, **new}


def _rest(new: str | None, old: str | None, present: frozenset[str]) -> str | None:
    """The stored HSDS rest keeps the members the record leaves out; a given member decides
    (``hsds.<member>``; a member now matching verbund's own fields has no rest left)."""
    given = {name.split(".", 1)[1] for name in present if name.startswith("hsds.")}
    before, after = decode(old) or {}, decode(new) or {}
    kept = {k: v for k, v in before.items() if k not in given}
    merged = {k: merge(before[k], v) if k in before else v for k, v in after.items()}
    return encode({**kept, **merged} or None)
