"""Doppelte Datensätze: Träger entered twice, related Träger, possibly renamed Träger.

The linkage model (graph/analysis/linkage/) compares candidate pairs from several blocking
keys with Fellegi–Sunter match weights (name words weighted by rarity, distinctive words,
legal form, website, e-mail domain, phone, address with house-number ranges, Sozialraum; m/u
by EM) and gives each pair one of three outcomes: the same Träger (a merge suggestion),
zusammengehörige Träger (one group, two legal entities: never merged) or möglicherweise
umbenannt (same address and contact, another name). The normalisers below stay for the
comparison of Angebote (duplicate_services.py).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher

from graph.analysis.config import DuplicateRecordConfig
from graph.analysis.findings import Finding, Severity, fmt
from graph.analysis.linkage.link import LinkConfig, link
from graph.analysis.linkage.outcomes import Outcome
from graph.analysis.linkage.records import LinkRecord, link_record
from graph.analysis.snapshot import OrganizationInfo
from graph.normalize import FOLD

# Legal forms carry no identity: "Caritas e.V." and "Caritas" are the same Träger.
_LEGAL_FORMS = re.compile(
    r"\b(?:e\.\s?v\.?|g?gmbh|mbh|g?ug|gag|ag|kg|kgaa|eg|e\.\s?g\.|gbr|kdör|kdoer|"
    r"gemeinnuetzige|gemeinnuetziger|gemeinnuetziges|haftungsbeschraenkt)(?=\W|$)"
)
_ABBREVIATIONS: Mapping[str, str] = {
    "ba": "bezirksamt",
    "ev": "evangelische",
    "evang": "evangelische",
    "kath": "katholische",
    "dw": "diakonisches werk",
    "ja": "jugendamt",
    "jc": "jobcenter",
    "str": "strasse",
    "stgt": "stuttgart",
    "ges": "gesellschaft",
    "dt": "deutsches",
    "drk": "deutsches rotes kreuz",
    "awo": "arbeiterwohlfahrt",
    "skf": "sozialdienst katholischer frauen",
    "zentr": "zentrum",
    "beratungsst": "beratungsstelle",
    "st": "sankt",
    "u": "und",
}
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize_name(name: str) -> str:
    """Comparable form of a Träger's name."""
    text = name.lower().translate(FOLD).replace("&", " und ").replace("+", " und ")
    text = _LEGAL_FORMS.sub(" ", text)
    tokens = [t for t in _NON_WORD.split(text) if t]
    # A trailing "ev" without dots is the legal form, elsewhere "Ev." is "evangelisch".
    if len(tokens) > 1 and tokens[-1] == "ev":
        tokens = tokens[:-1]
    words: list[str] = []
    for t in tokens:
        words.extend(_ABBREVIATIONS.get(t, t).split())
    return " ".join(words)


def normalize_phone(phone: str | None) -> str | None:
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone.split(" ext")[0])
    if phone.strip().startswith("+"):
        digits = "0" + digits[2:] if digits.startswith("49") else "00" + digits
    elif digits.startswith("0049"):
        digits = "0" + digits[4:]
    return digits if len(digits) >= 5 else None


def normalize_website(url: str | None) -> str | None:
    if not url:
        return None
    text = url.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text)
    text = re.sub(r"^www\.", "", text)
    text = text.split("?")[0].split("#")[0].rstrip("/")
    return text or None


def normalize_address(address: str) -> str | None:
    text = address.lower().translate(FOLD)
    text = re.sub(r"str\.|strasse\b", "strasse", text)
    text = _NON_WORD.sub(" ", text).strip()
    return text or None


def name_similarity(a: str, b: str) -> float:
    """Similarity of two normalised names in [0, 1]: character and word-order insensitive."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    direct = SequenceMatcher(None, a, b).ratio()
    ta, tb = sorted(a.split()), sorted(b.split())
    by_tokens = SequenceMatcher(None, " ".join(ta), " ".join(tb)).ratio()
    return max(direct, by_tokens)


@dataclass(frozen=True, slots=True, kw_only=True)
class DuplicateRecord(Finding):
    score: float  # posterior probability of "same Träger"
    name_similarity: float
    matched: tuple[str, ...]  # which keys agree: telefon, website, e-mail, adresse
    outcome: Outcome = "same"
    evidence: tuple[str, ...] = ()


_MATCHED = (("telefon", "phone"), ("website", "site"), ("e-mail", "mail"), ("adresse", "address"))


def link_records(organizations: Iterable[OrganizationInfo]) -> list[LinkRecord]:
    return [
        link_record(
            o.id,
            o.name,
            website=o.website,
            email=o.email,
            phone=o.phone,
            addresses=o.addresses,
            areas=o.area_ids,
        )
        for o in organizations
    ]


def duplicate_records(
    organizations: Iterable[OrganizationInfo],
    config: DuplicateRecordConfig,
    *,
    rejected: Collection[frozenset[str]] = (),
) -> list[DuplicateRecord]:
    """Merge suggestions first (most certain first), then possible renamings and related
    Träger; pairs in ``rejected`` (a coordinator said no) are left out."""
    orgs = {o.id: o for o in organizations}
    result = link(
        link_records(orgs.values()),
        LinkConfig(
            min_probability=config.min_probability,
            max_token_block=config.max_token_frequency,
            max_block=config.max_block,
        ),
        rejected=rejected,
    )
    found: list[DuplicateRecord] = []
    for s in result.suggestions:
        a, b = orgs[s.a], orgs[s.b]
        comparison = s.comparison
        matched = tuple(label for label, key in _MATCHED if comparison.level(key) == 1)
        severity: Severity = (
            "niedrig" if s.outcome != "same" else "hoch" if s.probability >= 0.99 else "mittel"
        )
        why = "; ".join(s.evidence) if s.evidence else "nur der Name"
        text = {
            "same": f"„{a.name}“ und „{b.name}“ sind vermutlich derselbe Träger",
            "related": f"„{a.name}“ und „{b.name}“ gehören vermutlich zusammen (ein Verbund, "
            "zwei Rechtsträger: nicht zusammenführen)",
            "renamed": f"„{a.name}“ und „{b.name}“: möglicherweise umbenannt, bitte prüfen",
        }[s.outcome]
        found.append(
            DuplicateRecord(
                kind="duplicate_record",
                severity=severity,
                explanation=f"{text} ({_chance(s.probability)}): {why}.",
                organization_ids=(a.id, b.id),
                counts={
                    "score": s.probability,
                    "name_similarity": round(comparison.name.similarity, 3),
                },
                score=s.probability,
                name_similarity=round(comparison.name.similarity, 3),
                matched=matched,
                outcome=s.outcome,
                evidence=s.evidence,
            )
        )
    return found


def _chance(p: float) -> str:
    """The posterior in words; never "100 %" (the model is never certain)."""
    if p >= 0.995:
        return "Wahrscheinlichkeit über 99 %"
    return f"Wahrscheinlichkeit {fmt(100 * p, 0)} %"


def merge_suggestions(records: Iterable[DuplicateRecord]) -> list[DuplicateRecord]:
    """Only the pairs that are one Träger (related and renamed ones are never merged)."""
    return [r for r in records if r.outcome == "same"]
