"""Every reference in a bundle must name a node in the bundle itself or already in the graph."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graph.connection import Graph
from graph.imports import existing_ids
from graph.model import KIND_LABELS
from loaders.errors import Issue
from loaders.tabular.reader import ParsedBundle

# Bundle table -> node label it holds.
TABLE_LABELS: dict[str, str] = KIND_LABELS

# Bundle table -> (field, label of the node it names).
REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    "areas": (("parent_id", "Area"),),
    "adjacencies": (("area_id", "Area"), ("other_area_id", "Area")),
    "categories": (("parent_id", "Category"),),
    "locations": (("organization_id", "Organization"), ("area_id", "Area")),
    "services": (
        ("organization_id", "Organization"),
        ("category_ids", "Category"),
        ("area_ids", "Area"),
        ("location_ids", "Location"),
    ),
    "agreements": (("party_ids", "Organization"), ("category_ids", "Category")),
    "networks": (("area_ids", "Area"),),
    "memberships": (("network_id", "Network"), ("organization_id", "Organization")),
    "households": (("area_id", "Area"),),
    "needs": (("household_id", "Household"), ("category_id", "Category")),
    "consents": (("household_id", "Household"), ("organization_ids", "Organization")),
    "referrals": (
        ("household_id", "Household"),
        ("need_id", "Need"),
        ("from_organization_id", "Organization"),
        ("to_service_id", "Service"),
        ("consent_id", "Consent"),
    ),
}

GERMAN_LABELS: dict[str, str] = {
    "Area": "Sozialraum",
    "Category": "Leistungsbereich",
    "Organization": "Träger",
    "Location": "Standort",
    "Service": "Angebot",
    "Agreement": "Kooperationsvereinbarung",
    "Network": "Verbund",
    "Household": "Familie",
    "Need": "Handlungsbedarf",
    "Consent": "Einwilligung",
    "Referral": "Überleitung",
}


def _targets(value: Any) -> Iterator[str]:
    if value is None:
        return
    if isinstance(value, tuple):
        yield from value
    else:
        yield value


def check_references(
    graph: Graph,
    parsed: ParsedBundle,
    *,
    pruning_source: str | None = None,
    given: Mapping[str, set[str]] | None = None,
) -> list[Issue]:
    """Issues for references to nodes that are neither in the bundle nor in the graph.

    With ``pruning_source`` set, nodes of that source that the import will prune do not count.
    ``given`` (per label, ids) counts as in the bundle too: the records of the same import
    that a streamed import wrote before this part (loaders/stream_import.py).
    """
    bundle = parsed.bundle
    in_bundle: dict[str, set[str]] = {
        label: {r.id for r in getattr(bundle, table)} | (given or {}).get(label, set())
        for table, label in TABLE_LABELS.items()
    }
    wanted: dict[str, set[str]] = {}
    pending: list[tuple[int, str, str, str, str]] = []  # (origin index, table, field, label, id)
    for table, refs in REFERENCES.items():
        for index, record in enumerate(getattr(bundle, table)):
            for field_name, label in refs:
                for target in _targets(getattr(record, field_name)):
                    if target not in in_bundle[label]:
                        wanted.setdefault(label, set()).add(target)
                        pending.append((index, table, field_name, label, target))
    if not pending:
        return []
    found = {
        label: existing_ids(graph, label, ids, except_source=pruning_source)
        for label, ids in wanted.items()
    }
    issues = []
    for index, table, field_name, label, target in pending:
        if target in found[label]:
            continue
        origin = parsed.origins[table][index]
        issues.append(
            origin.issue(
                field_name,
                f"{GERMAN_LABELS[label]} „{target}“ gibt es weder in der Eingabe "
                "noch in der Datenbank",
            )
        )
    return issues
