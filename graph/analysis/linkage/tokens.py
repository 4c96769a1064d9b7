"""Träger names as tokens: normalised, legal form split off, abbreviations expanded."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

# Umlauts and accents spelled out, as Träger names are entered both ways: the project's one
# folding table (also graph/analysis/duplicate_records.py for addresses and service names).
from graph.normalize import FOLD

# Legal form families: "gGmbH" and "GmbH" are one family (the "g" is a tax status, a company
# may be written with or without it); an e.V. and a GmbH of one name are two legal entities.
_FORMS: Sequence[tuple[str, str]] = (
    (r"(?:g?gmbh|se|ag)\s*(?:&|und)\s*co\.?\s*(?:kgaa|kg|betriebsohg|ohg)|kg", "kg"),
    (r"gemeinnuetzige\s+gmbh|gemeinn\.?\s+(?:betriebs\s+)?gmbh|g?gmbh|mbh", "gmbh"),
    (r"g?ug(?:\s*\(?haftungsbeschraenkt\)?)?|gemeinnuetzige\s+ug", "ug"),
    (r"g?\.?e\.\s?v\.?|g\.e\.v", "ev"),
    (r"k\.?d\.?oe\.?r\.?|kdoer", "kdoer"),
    (r"g?ag|kgaa|se", "ag"),
    (r"stiftung(?:\s+des\s+buergerlichen\s+rechts)?", "stiftung"),
)
_FORM_RES = [(re.compile(rf"(?<![a-z0-9])(?:{p})(?![a-z0-9])"), f) for p, f in _FORMS]
# Glued legal forms ("AlbatrosgGmbH", "ResidenzstraßeGmbH") get their space back first.
_GLUED = re.compile(r"(?<=[a-zäöüß])(g?GmbH|e\.V\.)")
ABBREVIATIONS: Mapping[str, str] = {
    "ba": "bezirksamt",
    "bezirksmt": "bezirksamt",
    "berzirksamt": "bezirksamt",
    "ev": "evangelische",
    "evang": "evangelische",
    "evangelisch": "evangelische",
    "evangelischer": "evangelische",
    "evangelisches": "evangelische",
    "kath": "katholische",
    "katholischer": "katholische",
    "katholisches": "katholische",
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
    "f": "fuer",
    "kv": "kreisverband",
    "lv": "landesverband",
    "abt": "abteilung",
    "gb": "geschaeftsbereich",
}
# Words that carry no identity at all (articles, prepositions, the place "von Berlin").
STOPWORDS = frozenset(
    {
        "der",
        "die",
        "das",
        "des",
        "dem",
        "den",
        "und",
        "fuer",
        "von",
        "v",
        "im",
        "in",
        "am",
        "an",
        "zu",
        "zur",
        "zum",
        "mit",
        "auf",
        "bei",
        "e",
        "traeger",
        "gemeinnuetzige",
        "gemeinnuetziger",
        "gemeinnuetziges",
        "gemeinn",
        "gemn",
    }
)
_NON_WORD = re.compile(r"[^a-z0-9]+")
# "Sozialberatung Stgt. eV": a trailing "eV" without dots is the legal form; "Ev." in front
# is "evangelisch".
_TRAILING_EV = re.compile(r"\S\s+ev\s*$")


def fold(text: str) -> str:
    """Lower case without umlauts, ß or accents."""
    return text.lower().translate(FOLD)


def legal_form(name: str) -> str | None:
    """The legal form family of a name (gmbh, ev, ug, kg, ag, kdoer, stiftung) or None."""
    text = fold(_GLUED.sub(r" \1", name))
    if _TRAILING_EV.search(text):
        return "ev"
    for pattern, form in _FORM_RES:
        if pattern.search(text):
            return form
    return None


def name_tokens(name: str) -> tuple[str, ...]:
    """The identifying words of a name, in order: no legal form, no stopwords, abbreviations
    written out ("BA" -> "bezirksamt", "DRK" -> "deutsches rotes kreuz")."""
    text = fold(_GLUED.sub(r" \1", name)).replace("&", " und ").replace("+", " und ")
    for pattern, _ in _FORM_RES:
        text = pattern.sub(" ", text)
    text = _TRAILING_EV.sub(lambda m: m.group(0)[0], text)
    words: list[str] = []
    for t in _NON_WORD.split(text):
        if not t:
            continue
        for w in ABBREVIATIONS.get(t, t).split():
            if w not in STOPWORDS and not (len(w) == 1 and not w.isdigit()):
                words.append(w)
    return tuple(words)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau–Levenshtein (optimal string alignment) distance, or ``limit + 1`` when larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def same_word(a: str, b: str) -> bool:
    """One word, allowing one typo from five letters and two from twelve ("Köpencik",
    "Berln"); "Bernhard"/"Richard" and "Waldkindergarten"/"Waldorfkindergarten" stay apart."""
    if a == b:
        return True
    shorter = min(len(a), len(b))
    if shorter < 5 or a[0] != b[0]:
        return False
    limit = 2 if shorter >= 12 else 1
    return edit_distance(a, b, limit) <= limit


def initials(tokens: Sequence[str]) -> str:
    return "".join(t[0] for t in tokens if t)
