"""What a family needs on a printed sheet: documents to bring and when each Angebot was last
checked; opening hours and a (fake) phone number of each Standort.

Each record draws from its own generator seeded by the demo seed and its id, so these details
change no other random choice of the demo (its planted truth stays as it was) and stay the same
for the same seed.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from graph.records import Location, Service

IDENTITY = "Personalausweis"
# Documents to bring, by Leistungsbereich (the identity card is always asked for).
DOCUMENTS: dict[str, tuple[str, ...]] = {
    "schuldnerberatung": (
        "Bescheid des Jobcenters",
        "Gehaltsnachweise der letzten 3 Monate",
        "Kontoauszüge der letzten 3 Monate",
        "Schreiben der Gläubiger",
        "Mietvertrag",
    ),
    "suchtberatung": ("Krankenversichertenkarte", "Bescheid des Jobcenters"),
    "sozialpsychiatrie": (
        "Krankenversichertenkarte",
        "Arztbrief oder Befundbericht",
        "Bescheid des Jobcenters",
    ),
    "erziehungsberatung": ("Geburtsurkunde des Kindes", "Sorgerechtsnachweis", "Zeugnisse"),
    "wohnungsnotfallhilfe": (
        "Mietvertrag",
        "Kündigungsschreiben oder Räumungsklage",
        "Bescheid des Jobcenters",
        "Mietschuldenaufstellung",
    ),
    "kinderbetreuung": (
        "Geburtsurkunde des Kindes",
        "Impfnachweis (Masernschutz)",
        "Gehaltsnachweise",
        "Bescheid des Jobcenters",
    ),
    "arbeitsfoerderung": (
        "Bescheid des Jobcenters",
        "Lebenslauf",
        "Zeugnisse",
        "Eingliederungsvereinbarung",
    ),
    "migrationsberatung": (
        "Aufenthaltstitel",
        "Bescheid des Jobcenters",
        "Meldebescheinigung",
        "Sprachkurs-Bescheinigung",
    ),
}
OTHER_DOCUMENTS: tuple[str, ...] = ("Bescheid des Jobcenters", "Mietvertrag", "Gehaltsnachweise")

OPENING_HOURS: tuple[str, ...] = (
    "Mo–Fr 9–12 Uhr, Do 14–18 Uhr",
    "Mo–Do 9–12 Uhr, Di 14–17 Uhr",
    "Mo, Mi, Fr 8:30–12:30 Uhr; Di 13–17 Uhr",
    "Mo–Do 8–16 Uhr, Fr 8–12 Uhr",
    "Di und Do 9–13 Uhr, Mi 14–18 Uhr (offene Sprechstunde)",
    "Mo–Fr 7:30–17 Uhr",
    "nach Vereinbarung; offene Sprechstunde Mi 10–12 Uhr",
)

# "zuletzt geprüft": most Träger confirmed their figures within the last two months before
# the demo is loaded, so their occupancy counts (graph/capacity.py: at most 90 days by
# default); about one in ten deliberately did not for a long time, so the demo also shows
# "Auslastung unbekannt" and how the ranking treats it.
RECENT_WITHIN_DAYS = 60
OUTDATED_SHARE = 0.1
OUTDATED_DAYS = (120, 330)


def _rng(seed: int, kind: str, ident: str) -> random.Random:
    return random.Random(f"verbund-demo:{seed}:facts:{kind}:{ident}")


def service_facts(service: Service, seed: int, checked_on: date) -> Service:
    """Documents to bring and "zuletzt geprüft" relative to ``checked_on`` (the load date):
    the same seed and date give the same facts."""
    rng = _rng(seed, "service", service.id)
    category = service.category_ids[0] if service.category_ids else ""
    pool = DOCUMENTS.get(category, OTHER_DOCUMENTS)
    documents = (IDENTITY, *rng.sample(pool, rng.randint(1, min(3, len(pool)))))
    if rng.random() < OUTDATED_SHARE:
        days = rng.randint(*OUTDATED_DAYS)
    else:
        days = rng.randint(0, RECENT_WITHIN_DAYS)
    assured = checked_on - timedelta(days=days)
    return replace(service, required_documents=documents, assured_date=assured)


def location_facts(location: Location, seed: int) -> Location:
    rng = _rng(seed, "location", location.id)
    # 0711 is Stuttgart's area code; the numbers are made up.
    phone = f"0711 {rng.randint(200, 999)} {rng.randint(10, 99)}-{rng.randint(0, 99):02d}"
    return replace(location, phone=phone, opening_hours=rng.choice(OPENING_HOURS))
