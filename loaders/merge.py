"""One record from the many places an input repeats it.

Foreign lists repeat the Träger on every row of its Angebote; HSDS feeds nest the same
organization and location in every service that uses them, not always alike (one service
embeds the organization with its phones, another without). The first non-empty value of each
field is kept (input order), empty fields are filled from later repetitions, and a later value
that differs is kept out but reported as a warning naming both places, the field and both
values: a coordinator then corrects the source, while one misspelt cell does not refuse a
whole real-world list. Mere spelling variants (``FiPP e.V.`` / ``FiPP e. V.``, ``https://x.de/``
/ ``http://www.x.de``, ``030/ 123`` / ``030 123``) are the same value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Generic, Protocol, TypeVar

from loaders.errors import Issue
from loaders.mapping.spec import slugify
from loaders.tabular.reader import Origin


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=_Identified)


def _website(url: str) -> str:
    return re.sub(r"^(https?://)?(www\.)?", "", url.strip().casefold()).rstrip("/")


_SAME: dict[str, Callable[[str], str]] = {
    "name": slugify,
    "website": _website,
    "url": _website,
    "email": str.casefold,
    "phone": lambda number: re.sub(r"\D", "", number),
}


def same_value(field: str, a: Any, b: Any) -> bool:
    key = _SAME.get(field)
    if key is not None and isinstance(a, str) and isinstance(b, str):
        return key(a) == key(b)
    return bool(a == b)


def given_fields(record: Any, *fields: str) -> set[str]:
    """The fields of ``record`` that hold a value (not None, not empty text or list)."""
    return {f for f in fields if getattr(record, f) not in (None, "", ())}


@dataclass(slots=True)
class _Entry(Generic[R]):
    record: R
    first: Origin
    given: dict[str, Origin]  # field -> where its kept value came from


def _where(origin: Origin) -> str:
    word = "Datensatz" if origin.json else "Zeile"
    return f"{origin.file}, {word} {origin.row}"


class RecordMerger(Generic[R]):
    """Collects records by id, merging repetitions; ``noun`` names them in warnings."""

    def __init__(self, noun: str) -> None:
        self.noun = noun
        self._entries: dict[str, _Entry[R]] = {}

    def add(self, record: R, given: set[str], origin: Origin, warnings: list[Issue]) -> None:
        """Merge one repetition; ``given`` are the fields it has a value for. Warnings name
        the field through ``origin.headers`` (the column or JSON path it came from)."""
        entry = self._entries.get(record.id)
        if entry is None:
            self._entries[record.id] = _Entry(record, origin, dict.fromkeys(given, origin))
            return
        fill: dict[str, Any] = {}
        for field in sorted(given):
            value = getattr(record, field)
            if field not in entry.given:
                fill[field] = value
                entry.given[field] = origin
                continue
            kept = getattr(entry.record, field)
            if not same_value(field, value, kept):
                warnings.append(
                    origin.issue(
                        field,
                        f"{self.noun} „{record.id}“: „{_shown(value)}“ weicht ab von"
                        f" „{_shown(kept)}“ ({_where(entry.given[field])});"
                        f" übernommen: „{_shown(kept)}“",
                    )
                )
        if fill:
            entry.record = replace(entry.record, **fill)  # type: ignore[type-var]

    def records(self) -> list[R]:
        return [entry.record for entry in self._entries.values()]

    def origins(self) -> list[Origin]:
        """The first place of each record (parallel to ``records``), for reference messages."""
        return [entry.first for entry in self._entries.values()]

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._entries

    def __bool__(self) -> bool:
        return bool(self._entries)


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return "|".join(str(v) for v in value)
    return str(value)
