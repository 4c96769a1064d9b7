"""Three outcomes of a compared pair, each with its evidence in words.

- ``same``: the same Träger entered twice: a merge suggestion. Only when the model is sure
  enough AND nothing says "two legal entities": both names keep a distinctive word the other
  lacks, or the legal forms differ (e.V. / GmbH).
- ``related``: zusammengehörige Träger (one group or umbrella: a shared brand word, website
  or address, but two legal entities): shown as a relation, never merged.
- ``renamed``: möglicherweise umbenannt: same address and same contact, names (almost)
  unalike: for review.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from graph.analysis.linkage.compare import Comparison
from graph.analysis.linkage.records import LinkRecord

Outcome = Literal["same", "related", "renamed"]
FORM_LABELS = {
    "gmbh": "GmbH",
    "ev": "e.V.",
    "ug": "UG",
    "kg": "KG",
    "ag": "AG",
    "kdoer": "KdöR",
    "stiftung": "Stiftung",
}

COMPANY_FORMS = frozenset({"gmbh", "ug", "kg", "ag"})


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    evidence: tuple[str, ...]


def _contacts(c: Comparison, a: LinkRecord) -> list[str]:
    found: list[str] = []
    if c.level("address") == 1 and c.address_text:
        found.append(f"gleiche Anschrift {c.address_text.split(',')[0].strip()}")
    if c.level("site") == 1 and a.site:
        found.append(f"gleiche Website {a.site}")
    if c.level("mail") == 1 and a.mail:
        found.append(f"gleiche E-Mail-Domain {a.mail}")
    if c.level("phone") == 1:
        found.append("gleiche Telefonnummer")
    return found


def decide(
    a: LinkRecord,
    b: LinkRecord,
    c: Comparison,
    probability: float,
    *,
    min_probability: float,
    brand: bool,
) -> Decision | None:
    """The outcome of one pair, or None when it is nothing to show. ``brand``: the names
    share a word that can carry a group's name (not generic, not in most names)."""
    name = c.name
    contacts = _contacts(c, a)
    words: list[str] = []
    if name.exact:
        words.append("Name gleich bis auf Schreibweise, Abkürzungen und Rechtsform")
    elif name.shared:
        words.append(f"Name ähnlich: {' '.join(name.shared)} ({round(100 * name.similarity)} %)")
    # A company's name is registered exactly: "Kleiner Fratz GmbH" and "Kleiner Fratz City
    # Süd GmbH" are two companies, while an e.V. or an office gets descriptive additions
    # ("Masorti e.V. – Verein zur Förderung …", "Bezirksamt Mitte, Jugendamt").
    companies = a.form in COMPANY_FORMS and b.form in COMPANY_FORMS
    apart = bool(name.only_a and name.only_b) or (companies and bool(name.only_a or name.only_b))
    forms_differ = c.level("form") == 2
    against: list[str] = []
    if apart:
        left = " ".join(name.only_a) or "–"
        right = " ".join(name.only_b) or "–"
        against.append(f"unterscheidet sich: {left} / {right}")
    if forms_differ and a.form and b.form:
        against.append(f"Rechtsform verschieden: {FORM_LABELS[a.form]} / {FORM_LABELS[b.form]}")
    if probability >= min_probability and not apart and not forms_differ and c.level("name") >= 1:
        return Decision("same", (*contacts, *words))
    # One group: a shared brand word, and either the names are alike or a contact agrees
    # ("CURATA Residenz Dahlem" / "CURATA Sanatorium West", both at Sachsendamm 2).
    if (apart or forms_differ) and brand and (c.level("name") >= 1 or contacts):
        return Decision("related", (*contacts, *words, *against))
    if c.level("address") == 1 and len(contacts) >= 2 and c.level("name") <= 1:
        return Decision("renamed", (*contacts, *words, *against))
    return None
