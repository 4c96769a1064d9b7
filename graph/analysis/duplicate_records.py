"""Doppelte Datensätze: Träger entered twice under different spellings, as scored candidates.

Names are normalised before comparing (case, umlauts, punctuation, legal forms such as "e.V." or
"gGmbH", abbreviations such as "BA" for "Bezirksamt"); contact keys (phone, website, e-mail,
address) are normalised too. Only pairs that share a contact key or a rare name token are
compared, so the work stays near-linear in the number of organizations.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from graph.analysis.config import DuplicateRecordConfig
from graph.analysis.findings import Finding, Severity, fmt
from graph.analysis.snapshot import OrganizationInfo

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e"})
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
    text = name.lower().translate(_FOLD).replace("&", " und ").replace("+", " und ")
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
    text = address.lower().translate(_FOLD)
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
    score: float
    name_similarity: float
    matched: tuple[str, ...]  # which keys agree: telefon, website, e-mail, adresse


@dataclass(frozen=True, slots=True)
class _Keys:
    org: OrganizationInfo
    name: str
    phone: str | None
    website: str | None
    email: str | None
    addresses: frozenset[str]


def _keys(org: OrganizationInfo) -> _Keys:
    return _Keys(
        org=org,
        name=normalize_name(org.name),
        phone=normalize_phone(org.phone),
        website=normalize_website(org.website),
        email=org.email.strip().lower() if org.email else None,
        addresses=frozenset(a for x in org.addresses if (a := normalize_address(x))),
    )


def _candidate_pairs(keys: Sequence[_Keys], config: DuplicateRecordConfig) -> set[tuple[int, int]]:
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        for kind, value in (("phone", k.phone), ("web", k.website), ("mail", k.email)):
            if value:
                blocks[(kind, value)].append(i)
        for address in k.addresses:
            blocks[("addr", address)].append(i)
        for token in set(k.name.split()):
            if len(token) >= 3:
                blocks[("tok", token)].append(i)
    pairs: set[tuple[int, int]] = set()
    for (kind, _), members in blocks.items():
        if len(members) < 2 or (kind == "tok" and len(members) > config.max_token_frequency):
            continue
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                pairs.add((i, j) if i < j else (j, i))
    return pairs


def duplicate_records(
    organizations: Iterable[OrganizationInfo], config: DuplicateRecordConfig
) -> list[DuplicateRecord]:
    """Pairs of organizations that are probably one Träger, best candidates first."""
    keys = [_keys(o) for o in sorted(organizations, key=lambda o: o.id)]
    found: list[DuplicateRecord] = []
    for i, j in sorted(_candidate_pairs(keys, config)):
        a, b = keys[i], keys[j]
        similarity = name_similarity(a.name, b.name)
        matched: list[str] = []
        score = config.name_weight * similarity
        for label, same, weight in (
            ("telefon", a.phone is not None and a.phone == b.phone, config.phone_weight),
            ("website", a.website is not None and a.website == b.website, config.website_weight),
            ("e-mail", a.email is not None and a.email == b.email, config.email_weight),
            ("adresse", bool(a.addresses & b.addresses), config.address_weight),
        ):
            if same:
                matched.append(label)
                score += weight
        score = min(score, 1.0)
        if score < config.min_score:
            continue
        severity: Severity = "hoch" if score >= 0.9 else "mittel"
        why = ", ".join(matched) if matched else "nur der Name"
        found.append(
            DuplicateRecord(
                kind="duplicate_record",
                severity=severity,
                explanation=(
                    f"„{a.org.name}“ und „{b.org.name}“ sind vermutlich derselbe Träger: "
                    f"Namensähnlichkeit {fmt(100 * similarity, 0)} %, übereinstimmend: {why}."
                ),
                organization_ids=(a.org.id, b.org.id),
                counts={"score": round(score, 3), "name_similarity": round(similarity, 3)},
                score=round(score, 3),
                name_similarity=round(similarity, 3),
                matched=tuple(matched),
            )
        )
    found.sort(key=lambda f: (-f.score, f.organization_ids))
    return found
