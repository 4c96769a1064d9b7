"""Comparison levels of two Träger records (the γ vector of Fellegi–Sunter).

Name: matched word weight over the smaller name's word weight, words weighted by rarity
(inverse document frequency, common words such as "Kirchengemeinde", "Kita", "Berlin" capped
low), so "Masorti e.V." and "Masorti e.V. – Verein zur Förderung …" agree. A separate
comparison asks whether BOTH names keep a distinctive word the other lacks ("St. Bernhard" /
"St. Richard", "DOMICIL Frobenstraße" / "DOMICIL Müllerstraße"): the sign of two entities.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from graph.analysis.linkage.address import compare_addresses
from graph.analysis.linkage.records import LinkRecord
from graph.analysis.linkage.tokens import same_word

# Words that occur in the names of many unrelated Träger in any German directory: weighed
# like a word in every third name even where the directory is small.
GENERIC_WORDS = frozenset(
    {
        "berlin",
        "bezirksamt",
        "jugendamt",
        "verein",
        "verband",
        "gesellschaft",
        "zentrum",
        "kita",
        "kindertagesstaette",
        "kirchengemeinde",
        "gemeinde",
        "evangelische",
        "katholische",
        "sankt",
        "kinder",
        "jugend",
        "jugendhilfe",
        "familie",
        "familien",
        "soziale",
        "sozial",
        "sozialdienst",
        "senioren",
        "seniorenheim",
        "pflege",
        "pflegeheim",
        "haus",
        "heim",
        "gemeinnuetzige",
        "betriebs",
        "betriebsgesellschaft",
        "verwaltung",
        "landesverband",
        "kreisverband",
        "abteilung",
        "region",
        "stadt",
        "deutschland",
        "deutsches",
        "deutsche",
        "werk",
        "hilfe",
        "beratung",
        "beratungsstelle",
        "arbeit",
        "bildung",
        "foerderung",
        "freizeit",
    }
)
GENERIC_SHARE = 3.0
# A leftover word this rare marks a name as its own ("bernhard", "frobenstrasse").
DISTINCTIVE_SHARE = 0.2

COMPARISONS: tuple[str, ...] = (
    "name",
    "distinct",
    "form",
    "site",
    "mail",
    "phone",
    "address",
    "area",
)
# Number of levels per comparison; level 0 is always "not comparable" (missing value).
LEVELS: Mapping[str, int] = {
    "name": 5,  # 0 nothing shared, 1 >= 0.4, 2 >= 0.7, 3 >= 0.9, 4 same words
    "distinct": 3,  # 0 no leftover, 1 leftover on one side, 2 on both sides
    "form": 3,  # 0 unknown, 1 same family, 2 different families
    "site": 3,  # 0 missing, 1 same, 2 different
    "mail": 3,
    "phone": 3,
    "address": 4,  # 0 missing, 1 same (range-aware), 2 same street, 3 different
    "area": 3,  # 0 missing, 1 overlap, 2 disjoint
}


@dataclass(frozen=True, slots=True)
class Frequencies:
    """How often each word and contact occurs in the directory (for weights and TF)."""

    records: int
    words: Mapping[str, int]
    sites: Mapping[str, int]
    phones: Mapping[str, int]
    mails: Mapping[str, int]
    # Average share of records holding a record's own value, per contact kind: the baseline
    # of the term-frequency adjustment (a value as common as average adjusts nothing).
    mean_share: Mapping[str, float]

    def is_brand(self, word: str) -> bool:
        """A word that can carry a group's name: not generic, in at most a third of names."""
        return word not in GENERIC_WORDS and self.words.get(word, 1) <= self.records / GENERIC_SHARE

    def weight(self, word: str) -> float:
        n = max(self.records, 1)
        df = float(self.words.get(word, 1))
        if word in GENERIC_WORDS:
            df = max(df, n / GENERIC_SHARE)
        return math.log(1 + n / df)


def frequencies(records: Iterable[LinkRecord]) -> Frequencies:
    words: Counter[str] = Counter()
    sites: Counter[str] = Counter()
    phones: Counter[str] = Counter()
    mails: Counter[str] = Counter()
    n = 0
    for r in records:
        n += 1
        words.update(set(r.tokens))
        for counter, value in ((sites, r.site), (phones, r.phone), (mails, r.mail)):
            if value:
                counter[value] += 1
    mean = {
        kind: (sum(c * c for c in counter.values()) / (max(n, 1) * sum(counter.values())))
        if counter
        else 0.0
        for kind, counter in (("site", sites), ("phone", phones), ("mail", mails))
    }
    return Frequencies(n, words, sites, phones, mails, mean)


@dataclass(frozen=True, slots=True)
class NameMatch:
    similarity: float  # matched weight / weight of the smaller name, 0..1
    shared: tuple[str, ...]
    only_a: tuple[str, ...]  # distinctive leftovers
    only_b: tuple[str, ...]
    exact: bool


def _matches(word: str, others: Sequence[str]) -> bool:
    if any(same_word(word, o) for o in others):
        return True
    if len(others) < 2:
        return False
    # A compound written apart on the other side: "daserzbistum" / "das erzbistum".
    return any(word == a + b for a, b in pairwise(others))


def acronym_of(short: str, words: Sequence[str]) -> tuple[str, ...]:
    """The run of ``words`` whose initials spell ``short`` ("gsj" in "gesellschaft sport
    jugendsozialarbeit", "pfh" in "pestalozzi froebel haus"), or () when none does."""
    if not 3 <= len(short) <= 5 or not short.isalpha():
        return ()
    for i in range(len(words)):
        run = words[i : i + len(short)]
        if len(run) == len(short) and "".join(w[0] for w in run) == short:
            return tuple(run)
    return ()


def _acronyms(left: Sequence[str], other_left: Sequence[str]) -> tuple[set[str], set[str]]:
    """Leftover short words that abbreviate a run of the other side's leftover words: the
    short words and the words they stand for count as matched."""
    short: set[str] = set()
    long: set[str] = set()
    for t in left:
        run = acronym_of(t, other_left)
        if run:
            short.add(t)
            long.update(run)
    return short, long


def compare_names(a: LinkRecord, b: LinkRecord, freq: Frequencies) -> NameMatch:
    if not a.tokens or not b.tokens:
        return NameMatch(0.0, (), a.tokens, b.tokens, False)
    if a.squashed == b.squashed:
        return NameMatch(1.0, a.tokens, (), (), True)
    # Exact words first; the typo and compound checks only for what is left over.
    in_b, in_a = set(b.tokens), set(a.tokens)
    left_b = [t for t in b.tokens if t not in in_a]
    left_a = [t for t in a.tokens if t not in in_b]
    fuzzy_a = {t for t in left_a if _matches(t, b.tokens)}
    fuzzy_b = {t for t in left_b if _matches(t, a.tokens)}
    rest_a = [t for t in left_a if t not in fuzzy_a]
    rest_b = [t for t in left_b if t not in fuzzy_b]
    short_a, long_b = _acronyms(rest_a, rest_b)
    short_b, long_a = _acronyms(rest_b, rest_a)
    abbreviated = short_a | long_a
    shared = tuple(t for t in a.tokens if t in in_b or t in fuzzy_a or t in abbreviated)
    rest_a = [t for t in rest_a if t not in abbreviated]
    rest_b = [t for t in rest_b if t not in short_b | long_b]
    w_a = sum(freq.weight(t) for t in a.tokens)
    w_b = sum(freq.weight(t) for t in b.tokens)
    matched = sum(freq.weight(t) for t in shared)
    similarity = min(1.0, matched / min(w_a, w_b)) if min(w_a, w_b) > 0 else 0.0

    def distinctive(rest: Sequence[str], total: float) -> tuple[str, ...]:
        leftover = sum(freq.weight(t) for t in rest)
        return tuple(rest) if total > 0 and leftover / total >= DISTINCTIVE_SHARE else ()

    return NameMatch(similarity, shared, distinctive(rest_a, w_a), distinctive(rest_b, w_b), False)


def _name_level(m: NameMatch) -> int:
    if m.exact:
        return 4
    for level, floor in ((3, 0.9), (2, 0.7), (1, 0.4)):
        if m.similarity >= floor:
            return level
    return 0


def _same(x: str | None, y: str | None) -> int:
    if not x or not y:
        return 0
    return 1 if x == y else 2


def address_match(a: LinkRecord, b: LinkRecord) -> tuple[int, str | None]:
    """Best address level and the agreeing address as entered (for the evidence)."""
    if not a.addresses or not b.addresses:
        return 0, None
    best, text = 3, None
    for i, x in enumerate(a.addresses):
        for y in b.addresses:
            level = compare_addresses(x, y)
            if level == "same":
                return 1, a.address_texts[i]
            if level == "same_street":
                best = 2
    return best, text


@dataclass(frozen=True, slots=True)
class Comparison:
    levels: tuple[int, ...]  # in the order of COMPARISONS
    name: NameMatch
    address_text: str | None

    def level(self, comparison: str) -> int:
        return self.levels[COMPARISONS.index(comparison)]


def compare(a: LinkRecord, b: LinkRecord, freq: Frequencies) -> Comparison:
    name = compare_names(a, b, freq)
    distinct = (1 if name.only_a else 0) + (1 if name.only_b else 0)
    form = 0 if a.form is None or b.form is None else (1 if a.form == b.form else 2)
    address, address_text = address_match(a, b)
    area = 0 if not a.areas or not b.areas else (1 if a.areas & b.areas else 2)
    levels = (
        _name_level(name),
        distinct,
        form,
        _same(a.site, b.site),
        _same(a.mail, b.mail),
        _same(a.phone, b.phone),
        address,
        area,
    )
    return Comparison(levels, name, address_text)
