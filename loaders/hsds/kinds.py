"""Which HSDS object a record is. Files and API answers do not say; the objects' required
and typical fields do (HSDS 3.0 schemas: a service has ``status``, a service_at_location its
``service`` and ``location``, a location its ``location_type`` …)."""

from __future__ import annotations

from typing import Any, Literal

Kind = Literal[
    "service", "organization", "service_at_location", "location", "taxonomy_term", "taxonomy"
]

_ORGANIZATION = frozenset(
    {
        "legal_status",
        "year_incorporated",
        "tax_status",
        "services",
        "locations",
        "website",
        "organization_identifiers",
        "parent_organization_id",
        "logo",
        "programs",
    }
)
# Members a location has too: an organization only when nothing says location.
_ORGANIZATION_TOO = frozenset({"email", "phones", "contacts", "funding"})
_LOCATION = frozenset({"location_type", "addresses", "latitude", "longitude", "transportation"})
_TERM = frozenset({"taxonomy", "taxonomy_id", "taxonomy_detail", "parent_id", "code", "term_uri"})
_TAXONOMY = frozenset({"id", "name", "description", "uri", "version"})


def kind_of(value: Any) -> Kind | None:
    if not isinstance(value, dict) or "id" not in value:
        return None
    keys = set(value)
    if "service" in keys and ("location" in keys or "location_id" in keys):
        return "service_at_location"
    if "status" in keys or "organization" in keys or "service_at_locations" in keys:
        return "service"
    if keys & _ORGANIZATION:
        return "organization"
    if keys & _LOCATION:
        return "location"
    if keys & _ORGANIZATION_TOO:
        return "organization"
    if keys & _TERM:
        return "taxonomy_term"
    if keys <= _TAXONOMY and "name" in keys:
        return "taxonomy"
    return None
