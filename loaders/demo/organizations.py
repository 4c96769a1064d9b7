"""The Träger of the demo city, and the duplicate records planted among them.

Names are modelled on Stuttgart's real landscape; contact data is invented (phone numbers in a
fictitious block). Every ordinary Träger has its own phone, website and a clearly distinct name;
only the planted variants share a phone or website with their original.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.records import Organization, Sector

SOURCE = "demo"


@dataclass(frozen=True, slots=True)
class OrgInfo:
    id: str
    name: str
    sector: Sector
    description: str
    domain: str
    phone: str


ORGANIZATIONS: tuple[OrgInfo, ...] = (
    OrgInfo(
        "jobcenter-stuttgart", "Jobcenter Stuttgart", "public",
        "Grundsicherung für Arbeitsuchende (SGB II); überleitet Bedarfsgemeinschaften.",
        "jobcenter-stuttgart.example", "+49 711 5550 1000",
    ),
    OrgInfo(
        "jugendamt-stuttgart", "Jugendamt Stuttgart", "public",
        "Allgemeiner Sozialdienst und Beratungszentren Jugend und Familie.",
        "jugendamt-stuttgart.example", "+49 711 5550 1100",
    ),
    OrgInfo(
        "caritas-stuttgart", "Caritasverband für Stuttgart e.V.", "nonprofit",
        "Wohlfahrtsverband; Träger in der Zentralen Schuldnerberatung und im Suchthilfeverbund.",
        "caritas-stuttgart.example", "+49 711 5550 1200",
    ),
    OrgInfo(
        "eva-stuttgart", "Evangelische Gesellschaft Stuttgart e.V.", "nonprofit",
        "Diakonischer Träger (eva); Schuldner-, Sucht- und Wohnungsnotfallhilfe, "
        "Gemeindepsychiatrie.",
        "eva-stuttgart.example", "+49 711 5550 1300",
    ),
    OrgInfo(
        "praeventsozial", "PräventSozial gGmbH", "nonprofit",
        "Träger in der Zentralen Schuldnerberatung Stuttgart.",
        "praeventsozial.example", "+49 711 5550 1400",
    ),
    OrgInfo(
        "release-stuttgart", "Release Stuttgart e.V.", "nonprofit",
        "Suchtberatung und Jugendsuchtberatung, Mitglied im Suchthilfeverbund.",
        "release-stuttgart.example", "+49 711 5550 1500",
    ),
    OrgInfo(
        "bwlv-stuttgart", "Baden-Württembergischer Landesverband für Prävention und Rehabilitation",
        "nonprofit", "Suchtberatungsstellen (bwlv), Mitglied im Suchthilfeverbund.",
        "bwlv-stuttgart.example", "+49 711 5550 1600",
    ),
    OrgInfo(
        "rudolf-sophien-stift", "Rudolf-Sophien-Stift gGmbH", "nonprofit",
        "Sozialpsychiatrischer Dienst und Gemeindepsychiatrisches Zentrum.",
        "rudolf-sophien-stift.example", "+49 711 5550 1700",
    ),
    OrgInfo(
        "ambulante-hilfe-stuttgart", "Ambulante Hilfe e.V.", "nonprofit",
        "Fachberatung für Menschen in Wohnungsnot.",
        "ambulante-hilfe.example", "+49 711 5550 1800",
    ),
    OrgInfo(
        "sozialberatung-stuttgart", "Sozialberatung Stuttgart e.V.", "nonprofit",
        "Wohnungsnotfallhilfe und Sozialberatung.",
        "sozialberatung-stuttgart.example", "+49 711 5550 1900",
    ),
    OrgInfo(
        "kita-stuttgart", "Städtische Kindertageseinrichtungen", "public",
        "Kindertagesstätten in städtischer Trägerschaft.",
        "kita-stadt.example", "+49 711 5550 2000",
    ),
    OrgInfo(
        "kinderwelt-ggmbh", "Kinderwelt Filder gGmbH", "nonprofit",
        "Freier Träger von Kindertagesstätten auf den Fildern.",
        "kinderwelt-filder.example", "+49 711 5550 2100",
    ),
    OrgInfo(
        "neue-arbeit-stuttgart", "Neue Arbeit gGmbH", "nonprofit",
        "Beschäftigung und Qualifizierung für langzeitarbeitslose Menschen.",
        "neue-arbeit.example", "+49 711 5550 2200",
    ),
    OrgInfo(
        "bbq-stuttgart", "BBQ Berufliche Bildung gGmbH", "private",
        "Bildungsträger: Coaching und Qualifizierung nach SGB II.",
        "bbq-bildung.example", "+49 711 5550 2300",
    ),
    OrgInfo(
        "awo-stuttgart", "Arbeiterwohlfahrt Stuttgart e.V.", "nonprofit",
        "Migrationsberatung für erwachsene Zugewanderte.",
        "awo-stuttgart.example", "+49 711 5550 2400",
    ),
    OrgInfo(
        "drk-stuttgart", "Deutsches Rotes Kreuz Stuttgart e.V.", "nonprofit",
        "Migrationsberatung und Flüchtlingssozialarbeit.",
        "drk-stuttgart.example", "+49 711 5550 2500",
    ),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DuplicateRecord:
    """A second record of an existing Träger, entered under a different spelling."""

    id: str
    original_id: str
    name: str
    same_phone: bool
    same_website: bool


DUPLICATE_RECORDS: tuple[DuplicateRecord, ...] = (
    DuplicateRecord("sozialberatung-stgt", "sozialberatung-stuttgart", "Sozialberatung Stgt. eV",
                    same_phone=True, same_website=False),
    DuplicateRecord("release-ev-stuttgart", "release-stuttgart", "RELEASE e.V. Stuttgart",
                    same_phone=False, same_website=True),
    DuplicateRecord("awo-kv-stuttgart", "awo-stuttgart", "AWO Stuttgart",
                    same_phone=True, same_website=True),
)  # fmt: skip


def _website(domain: str) -> str:
    return f"https://www.{domain}"


def organizations() -> list[Organization]:
    """The ordinary Träger followed by the planted duplicate records."""
    infos = {o.id: o for o in ORGANIZATIONS}
    result = [
        Organization(
            id=o.id,
            name=o.name,
            sector=o.sector,
            description=o.description,
            website=_website(o.domain),
            email=f"info@{o.domain}",
            phone=o.phone,
            source=SOURCE,
        )
        for o in ORGANIZATIONS
    ]
    for n, dup in enumerate(DUPLICATE_RECORDS, start=1):
        original = infos[dup.original_id]
        # The variant differs in the field the other clerk typed differently.
        result.append(
            Organization(
                id=dup.id,
                name=dup.name,
                sector=original.sector,
                description=original.description,
                website=_website(original.domain) if dup.same_website else None,
                email=None,
                phone=original.phone if dup.same_phone else f"+49 711 5550 9{n:03d}",
                source=SOURCE,
            )
        )
    return result
