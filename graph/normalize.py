"""Canonical forms of what people write in many ways: legal bases, language codes, vocabulary
keys and search words.

One place for these rules: the importers store the canonical form (graph/records.py applies
it to every Angebot, whichever route it came by), and the filters of GraphQL, the web search
and the CLI compare canonical forms, so ``SGB II § 16a`` finds what was stored as
``§16a SGB II`` and ``DE`` finds ``de``. Pure functions, no database.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from graph.labels import LANGUAGES

# Invisible characters that editors and word processors leave in names: a soft hyphen
# ("Schuldner\u00adberatung" shows as "Schuldnerberatung"), zero-width spaces and joiners.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV")
# "SGB II", "SGB-II", "SGBII", "sgb ii", "SGB 2": the twelve (since 2024 fourteen) books.
_SGB = re.compile(
    r"\bSGB\s*-?\s*(XIV|XIII|XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I|\d{1,2})(?![\w])", re.I
)
_PARAGRAPH_WORD = re.compile(r"\b(?:Paragraph|Paragraf|Par\.)\s*", re.I)
# "§16a", "§ 16 a", "§ 16A": the number with its letter suffix (not the "A" of "Abs.").
_SECTION = re.compile(r"(§§?)\s*(\d+)(?:\s*([a-z])(?!\w))?", re.I)
# A law named before the section ("SGB II § 16a", "AufenthG § 25"): moved behind it.
_LAW_FIRST = re.compile(r"(SGB [IVX]+|[A-ZÄÖÜ][\wäöüÄÖÜ]*[A-Z])\s+(§.*)")
_SPACES = re.compile(r"\s+")


_INVISIBLE_FOUND = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


def visible(text: str) -> str:
    """The text without invisible characters, otherwise as written (line breaks kept)."""
    # Every record read passes here: a search is cheaper than translating every text.
    if isinstance(text, str) and _INVISIBLE_FOUND.search(text):
        return text.translate(_INVISIBLE)
    return text


def clean_text(text: str) -> str:
    """Unicode-normalised (NFC), invisible characters removed, runs of spaces made one."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return _SPACES.sub(" ", text).strip()


def _sgb_book(match: re.Match[str]) -> str:
    book = match.group(1).upper()
    if book.isdigit():
        number = int(book)
        book = _ROMAN[number - 1] if 1 <= number <= len(_ROMAN) else book
    return f"SGB {book}"


def _section(match: re.Match[str]) -> str:
    letter = (match.group(3) or "").lower()
    return f"{match.group(1)} {match.group(2)}{letter}"


@lru_cache(maxsize=4096)
def legal_basis(text: str) -> str:
    """``§ 16a SGB II`` for ``§16a SGB II``, ``SGB II § 16a``, ``Paragraph 16a SGB II``,
    ``§ 16 a SGB 2`` or ``§16a sgb-ii``; text without a recognisable § is only cleaned."""
    text = clean_text(text)
    text = _PARAGRAPH_WORD.sub("§ ", text)
    text = _SGB.sub(_sgb_book, text)
    text = _SECTION.sub(_section, text)
    law_first = _LAW_FIRST.fullmatch(text)
    if law_first:
        text = f"{law_first.group(2)} {law_first.group(1)}"
    return _SPACES.sub(" ", text).strip()


# ISO 639-2 (bibliographic and terminology codes) of the languages the labels know.
_ISO_639_2: dict[str, str] = {
    "deu": "de", "ger": "de", "eng": "en", "tur": "tr", "ara": "ar", "rus": "ru",
    "ukr": "uk", "ita": "it", "ell": "el", "gre": "el", "hrv": "hr", "fas": "fa",
    "per": "fa", "pol": "pl", "ron": "ro", "rum": "ro", "bul": "bg", "sqi": "sq",
    "alb": "sq", "kur": "ku", "fra": "fr", "fre": "fr", "spa": "es", "srp": "sr",
    "bos": "bs", "tir": "ti", "som": "so", "pus": "ps", "vie": "vi",
}  # fmt: skip
_ENGLISH_NAMES: dict[str, str] = {
    "german": "de", "english": "en", "turkish": "tr", "arabic": "ar", "russian": "ru",
    "ukrainian": "uk", "italian": "it", "greek": "el", "croatian": "hr", "persian": "fa",
    "farsi": "fa", "polish": "pl", "romanian": "ro", "bulgarian": "bg", "albanian": "sq",
    "kurdish": "ku", "french": "fr", "spanish": "es", "serbian": "sr", "bosnian": "bs",
    "tigrinya": "ti", "somali": "so", "pashto": "ps", "vietnamese": "vi",
}  # fmt: skip


def _german_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, label in LANGUAGES.items():
        names[label.casefold()] = code
        # "Persisch (Farsi)": each part names the language on its own too.
        for part in re.findall(r"[^\s()]+", label):
            names.setdefault(part.casefold(), code)
    return names


_LANGUAGE_NAMES = {**_ENGLISH_NAMES, **_german_names()}
# "de-DE", "de_AT", "pt-BR": the region does not change the language.
_REGION = re.compile(r"^([a-z]{2,3})[-_][a-z0-9]{2,8}$")


@lru_cache(maxsize=1024)
def language(text: str) -> str:
    """ISO 639-1 code, lower case: ``de`` for ``DE``, ``de-DE``, ``deu``, ``ger``, ``Deutsch``
    or ``German``. Unknown values come back cleaned and in lower case (a validator decides)."""
    key = clean_text(text).casefold()
    region = _REGION.match(key)
    if region:
        key = region.group(1)
    return _ISO_639_2.get(key) or _LANGUAGE_NAMES.get(key) or key


_KNOWN_CODES = frozenset(LANGUAGES)


def languages(values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Each code canonical, the first occurrence kept (``de, DE, tr`` is ``de, tr``)."""
    if (
        isinstance(values, tuple)
        and _KNOWN_CODES.issuperset(values)
        and len(set(values)) == len(values)
    ):
        return values  # already canonical: every stored record read takes this path
    return tuple(dict.fromkeys(language(v) for v in values if clean_text(v)))


# The project's one folding table: letters as people type them without a German keyboard
# ("Muenster" for "Münster", "Strasse" for "Straße", "Cafe" for "Café"). Used by ``fold``,
# by the record linkage (graph/analysis/linkage/tokens.py, duplicate_records.py) and, in
# Cypher, by graph/repo/matching.py (built from this table).
FOLDING: tuple[tuple[str, str], ...] = (
    ("ä", "ae"),
    ("ö", "oe"),
    ("ü", "ue"),
    ("ß", "ss"),
    ("é", "e"),
    ("è", "e"),
)
FOLD = str.maketrans(dict(FOLDING))
"""``FOLDING`` for ``str.translate`` (applied to lower-case text)."""


def fold(text: str) -> str:
    """Lower case with umlauts, ß and accents spelled out: ``Münster``, ``MUENSTER`` ->
    ``muenster``."""
    return clean_text(text).lower().translate(FOLD)


def vocabulary_key(text: str) -> str:
    """A Leistungsbereich or Zielgruppe as a filter compares it: case and spaces ignored
    (`` Schuldnerberatung``, ``SCHULDNERBERATUNG``); compared with ``toLower`` of the id or
    name in the graph, so lower() (not casefold(), which turns ß into ss) like Cypher."""
    return clean_text(text).lower()
