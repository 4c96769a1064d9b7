"""Filter inputs of the directory lists, turned into the repositories' filter values."""

from __future__ import annotations

import datetime as dt

import strawberry

from graph.repo.areas import AreaFilter
from graph.repo.households import ReferralFilter
from graph.repo.organizations import OrganizationFilter
from graph.repo.services import ServiceFilter
from schema.enums import AreaLevel, ReferralStatus, Sector, ServiceStatus


@strawberry.input(
    description="Filter für Angebote. Alle angegebenen Bedingungen gelten zugleich; "
    "bei Listen genügt ein Treffer."
)
class ServiceFilterInput:
    area: strawberry.ID | None = strawberry.field(
        default=None,
        description="Sozialraum: Angebote, die ihn oder einen seiner Teilräume versorgen.",
    )
    include_broader_areas: bool = strawberry.field(
        default=False,
        description="Auch Angebote der umfassenden Sozialräume (z. B. stadtweite) einschließen.",
    )
    categories: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Leistungsbereiche (einschließlich engerer Bereiche): Kennung oder Name, "
        "Groß-/Kleinschreibung und Leerzeichen egal.",
    )
    target_groups: list[str] | None = strawberry.field(
        default=None, description="Zielgruppen (Groß-/Kleinschreibung egal)."
    )
    languages: list[str] | None = strawberry.field(
        default=None,
        description="Sprachen (ISO 639-1, z. B. `tr`; auch `TR`, `tur` oder `Türkisch`).",
    )
    legal_bases: list[str] | None = strawberry.field(
        default=None,
        description="Rechtsgrundlagen in jeder üblichen Schreibweise: `§ 16a SGB II` findet "
        "auch `§16a SGB II`, `SGB II § 16a` und `Paragraph 16a SGB 2`.",
    )
    statuses: list[ServiceStatus] | None = strawberry.field(default=None, description="Status.")
    valid_on: dt.date | None = strawberry.field(
        default=None, description="Nur Angebote, die an diesem Tag gelten (Gültigkeit)."
    )
    text: str | None = strawberry.field(
        default=None,
        description="Volltextsuche in Name und Beschreibung (alle Wörter, das letzte auch als "
        "Wortanfang; `Strasse` findet `Straße`, `Muenster` findet `Münster`).",
    )
    organization: strawberry.ID | None = strawberry.field(default=None, description="Träger.")


def service_filter(f: ServiceFilterInput | None) -> ServiceFilter:
    if f is None:
        return ServiceFilter()
    return ServiceFilter(
        area_id=f.area,
        include_broader_areas=f.include_broader_areas,
        category_ids=tuple(f.categories or ()),
        target_groups=tuple(f.target_groups or ()),
        languages=tuple(f.languages or ()),
        legal_bases=tuple(f.legal_bases or ()),
        statuses=tuple(s.value for s in f.statuses or ()),
        valid_on=f.valid_on,
        text=f.text,
        organization_id=f.organization,
    )


@strawberry.input(description="Filter für Träger.")
class OrganizationFilterInput:
    text: str | None = strawberry.field(
        default=None, description="Volltextsuche in Name und Beschreibung."
    )
    sectors: list[Sector] | None = strawberry.field(default=None, description="Sektoren.")
    categories: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Träger mit Angeboten in diesen Leistungsbereichen (Kennung oder Name, "
        "Groß-/Kleinschreibung und Leerzeichen egal).",
    )
    area: strawberry.ID | None = strawberry.field(
        default=None,
        description="Träger mit Angebot oder Standort in diesem Sozialraum (samt Teilräumen).",
    )
    network: strawberry.ID | None = strawberry.field(
        default=None, description="Mitglieder dieses Verbunds / Arbeitskreises."
    )
    include_archived: bool = strawberry.field(
        default=False, description="Auch archivierte Träger einschließen."
    )


def organization_filter(f: OrganizationFilterInput | None) -> OrganizationFilter:
    if f is None:
        return OrganizationFilter()
    return OrganizationFilter(
        text=f.text,
        sectors=tuple(s.value for s in f.sectors or ()),
        category_ids=tuple(f.categories or ()),
        area_id=f.area,
        network_id=f.network,
        include_archived=f.include_archived,
    )


@strawberry.input(description="Filter für Sozialräume.")
class AreaFilterInput:
    levels: list[AreaLevel] | None = strawberry.field(default=None, description="Ebenen.")
    within: strawberry.ID | None = strawberry.field(
        default=None, description="Dieser Sozialraum und alle darunter."
    )
    name_contains: str | None = strawberry.field(
        default=None,
        description="Teil des Namens (ohne Groß-/Kleinschreibung; `Muenster` findet `Münster`).",
    )


def area_filter(f: AreaFilterInput | None) -> AreaFilter:
    if f is None:
        return AreaFilter()
    return AreaFilter(
        levels=tuple(level.value for level in f.levels or ()),
        within_id=f.within,
        name_contains=f.name_contains,
    )


@strawberry.input(description="Filter für Überleitungen.")
class ReferralFilterInput:
    statuses: list[ReferralStatus] | None = strawberry.field(default=None, description="Status.")
    household: strawberry.ID | None = strawberry.field(default=None, description="Haushalt.")
    service: strawberry.ID | None = strawberry.field(default=None, description="Ziel-Angebot.")
    from_organization: strawberry.ID | None = strawberry.field(
        default=None, description="Überleitender Träger."
    )
    to_organization: strawberry.ID | None = strawberry.field(
        default=None, description="Aufnehmender Träger."
    )
    categories: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Leistungsbereiche des Ziel-Angebots."
    )
    created_from: dt.datetime | None = strawberry.field(
        default=None, description="Angelegt ab (einschließlich)."
    )
    created_to: dt.datetime | None = strawberry.field(
        default=None, description="Angelegt vor (ausschließlich)."
    )
    overdue: bool | None = strawberry.field(
        default=None,
        description="Nur überfällige (true) bzw. nur nicht überfällige (false): noch nicht "
        "beantwortet (CREATED) und seit mehr als der Antwortfrist unverändert.",
    )


def referral_filter(
    f: ReferralFilterInput | None, overdue_before: dt.datetime | None = None
) -> ReferralFilter:
    """The filter; ``overdue_before``: the cutoff of the overdue rule for this request."""
    if f is None:
        return ReferralFilter()
    return ReferralFilter(
        statuses=tuple(s.value for s in f.statuses or ()),
        household_id=f.household,
        service_id=f.service,
        from_organization_id=f.from_organization,
        to_organization_id=f.to_organization,
        category_ids=tuple(f.categories or ()),
        created_from=f.created_from,
        created_to=f.created_to,
        overdue=f.overdue,
        overdue_before=overdue_before if f.overdue is not None else None,
    )
