"""German addresses: street normalised, house numbers as ranges with letter suffixes.

"Glambecker Ring 80-82", "Glambecker Ring 80 – 82" and "Glambecker Ring 80" are one address;
"Wisbyer Str. 16/17" and "Wisbyer Straße 16 - 17" too; "83B" is house 83. The postcode may
disagree (typos, a Träger's post box) when street and number agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from graph.analysis.linkage.tokens import fold

_STREET_WORDS = (
    (r"str\.?(?=\s|$|,|-)|strasse|strase", "strasse"),
    (r"pl\.?(?=\s|$|,)|platz", "platz"),
    (r"chaussee|chausee|ch\.", "chaussee"),
    (r"allee", "allee"),
)
_NUMBER = re.compile(r"(\d{1,4})\s*([a-z])?(?:\s*(?:-|–|/|bis|u\.?|\+)\s*(\d{1,4})\s*([a-z])?)?")
_POSTCODE = re.compile(r"\b(\d{5})\b")


@dataclass(frozen=True, slots=True)
class Address:
    street: str  # "glambeckerring": no spaces or hyphens, Straße written out
    first: int | None  # house number range; a single number has first == last
    last: int | None
    suffix: str  # letter suffix of the first number ("b" of "83B"), "" when none
    postcode: str | None


def normalize_street(street: str) -> str:
    text = fold(street)
    for pattern, word in _STREET_WORDS:
        text = re.sub(pattern, word, text)
    # "Otto-Marquardt-Straße", "Otto Marquardt Straße", "Ottomarquardtstrasse": one street.
    return re.sub(r"[^a-z0-9]+", "", text)


def parse_address(text: str) -> Address | None:
    """Parse "Street 12a, 12345 City" (postcode and city optional); None without a street."""
    folded = fold(text)
    postcode_match = _POSTCODE.search(folded)
    postcode = postcode_match.group(1) if postcode_match else None
    head = folded.split(",")[0] if "," in folded else folded
    if postcode and postcode in head:
        head = head.replace(postcode, " ")
    number = None
    for m in _NUMBER.finditer(head):
        number = m  # the last number of the street part is the house number
    street_part = head[: number.start()] if number else head
    street = normalize_street(street_part)
    if not street:
        return None
    if number is None:
        return Address(street, None, None, "", postcode)
    first = int(number.group(1))
    last = int(number.group(3)) if number.group(3) else first
    if last < first or last - first > 20:
        last = first
    return Address(street, first, last, number.group(2) or "", postcode)


AddressLevel = Literal["same", "same_street", "different"]


def compare_addresses(a: Address, b: Address) -> AddressLevel:
    """same: one street and overlapping house numbers ("80-82" contains 80, "83B" ~ 83),
    whatever the postcodes; same_street: one street and postcode, other number."""
    if a.street != b.street:
        return "different"
    if a.first is None or b.first is None or a.last is None or b.last is None:
        return "same_street" if a.postcode == b.postcode else "different"
    if a.first <= b.last and b.first <= a.last:
        return "same"
    if a.postcode is not None and a.postcode == b.postcode:
        return "same_street"
    return "different"


def format_address(a: Address) -> str:
    """The address as evidence in words ("Glambecker Ring 80–82" is shown from the original;
    this is the fallback for the normalised form)."""
    if a.first is None:
        return a.street
    numbers = str(a.first) if a.first == a.last else f"{a.first}–{a.last}"
    return f"{a.street} {numbers}{a.suffix}"
