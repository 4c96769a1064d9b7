"""The Träger of a mapped list: which layer fields fill it, and one Träger from all the rows
that name it (merged by ``loaders.merge``: gaps filled from later rows, differences warned)."""

from __future__ import annotations

from graph.records import Organization
from loaders.merge import RecordMerger

# Organization field -> the mapping layer field naming its column.
ORGANIZATION_FIELDS: dict[str, str] = {
    "name": "organization",
    "sector": "sector",
    "description": "organization_description",
    "website": "organization_website",
    "email": "organization_email",
    "phone": "organization_phone",
}


def organization_headers(headers: dict[str, str]) -> dict[str, str]:
    """A row's headers as seen by its Träger: ``name`` is the Träger column, not the Angebot's."""
    out = dict(headers)
    for field, layer_field in ORGANIZATION_FIELDS.items():
        out[field] = headers.get(layer_field, layer_field)
    out["id"] = headers.get("organization_id", "organization_id")
    return out


def organization_merger() -> RecordMerger[Organization]:
    return RecordMerger("Träger")
