"""What each GraphQL field of a compiled read reads, as data (issue #16): the roots, the pages
of services, the bookkeeping of versioned records and the properties of a membership."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    Undefined,
)

from graph.bundle import RECORD_TYPES
from graph.model import KIND_LABELS
from graph.repo import areas, organizations, services
from graph.repo.paging import Query
from graph.repo.values import as_date
from schema.filters import (
    AreaFilterInput,
    OrganizationFilterInput,
    ServiceFilterInput,
    area_filter,
    organization_filter,
    service_filter,
)

# Query fields answered here: a record by id (type named as its label), every record of a
# small label (graph/repo/nodes.py ``all_of``), or a page of services.
BY_ID = "by_id"
EVERY = "every"
PAGE = "page"
ROOTS: dict[str, str] = {
    "area": BY_ID,
    "category": BY_ID,
    "organization": BY_ID,
    "service": BY_ID,
    "location": BY_ID,
    "agreement": BY_ID,
    "network": BY_ID,
    "categories": EVERY,
    "agreements": EVERY,
    "networks": EVERY,
    "services": PAGE,
    "organizations": PAGE,
    "areas": PAGE,
}

# The connections compiled as pages, by GraphQL type: the label of their nodes, and how the
# resolver turns the ``filter`` argument into the list's conditions (schema/filters.py, the
# list's module in graph/repo/).
PAGED_LISTS: dict[str, tuple[str, type, Callable[[Any], Any], Callable[[Any], Query]]] = {
    "ServiceConnection": ("Service", ServiceFilterInput, service_filter, services.query),
    "OrganizationConnection": (
        "Organization",
        OrganizationFilterInput,
        organization_filter,
        organizations.query,
    ),
    "AreaConnection": ("Area", AreaFilterInput, area_filter, areas.query),
}

# The ``services`` page of a node, by its GraphQL type: the anchor in graph/repo/services.py.
PAGES: dict[str, str] = {
    "Area": "area",
    "Category": "category",
    "Organization": "organization",
    "Location": "location",
}

# Versioned's bookkeeping: record attribute -> (key in the projection, conversion).
META: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "version": ("version", lambda v: int(v or 1)),
    "updated_at": ("updated_ms", lambda v: _moment(v)),
    "archived_at": ("archived_ms", lambda v: _moment(v)),
    "updated_by": ("updated_by", lambda v: v),
}

# A membership read with its organization is the relationship's properties (schema/directory.py
# ``Membership.read_with``: the same defaults) and the network it leads to.
MEMBERSHIP: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "role": lambda e: e.get("role") or "mitglied",
    "since": lambda e: as_date(e.get("since")),
    "version": lambda e: int(e.get("version") or 1),
}


def _moment(millis: Any) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(millis / 1000, dt.UTC) if isinstance(millis, int) else None


_LABEL_RECORDS: dict[str, type] = {label: RECORD_TYPES[kind] for kind, label in KIND_LABELS.items()}


def record_default(label: str, name: str) -> Any:
    """What a record built without the property holds (graph/repo/values.py ``record_of``)."""
    for f in dataclasses.fields(_LABEL_RECORDS[label]):
        if f.name == name:
            if f.default is not dataclasses.MISSING:
                return f.default
            if f.default_factory is not dataclasses.MISSING:
                return f.default_factory()
            return Undefined
    return Undefined
