"""A Bundle is one coherent set of records to write together (an import, the demo)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import get_args, get_type_hints

from graph.records import (
    Adjacency,
    Agreement,
    Area,
    Category,
    Consent,
    Household,
    Location,
    Membership,
    Need,
    Network,
    Organization,
    Referral,
    Service,
)


@dataclass(slots=True)
class Bundle:
    """Records grouped by kind, in the order they must be written (referenced ones first)."""

    areas: list[Area] = field(default_factory=list)
    adjacencies: list[Adjacency] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    networks: list[Network] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    needs: list[Need] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {f.name: len(getattr(self, f.name)) for f in fields(self)}

    def extend(self, other: Bundle) -> None:
        for f in fields(self):
            getattr(self, f.name).extend(getattr(other, f.name))


# Kind (the Bundle field) -> the record type its list holds, in writing order.
RECORD_TYPES: dict[str, type] = {
    f.name: get_args(get_type_hints(Bundle)[f.name])[0] for f in fields(Bundle)
}
