"""pydantic's validation errors in German, for people who fill in spreadsheets."""

from __future__ import annotations

import re
from typing import Any

from graph.vocabulary import labelled

_QUOTED = re.compile(r"'([^']*)'")

_MESSAGES: dict[str, str] = {
    "missing": "Pflichtfeld ist leer",
    "string_type": "Text erwartet",
    "int_parsing": "ganze Zahl erwartet",
    "int_type": "ganze Zahl erwartet",
    "int_from_float": "ganze Zahl erwartet",
    "float_parsing": "Zahl erwartet (z. B. 12,5)",
    "float_type": "Zahl erwartet (z. B. 12,5)",
    "bool_parsing": "ja oder nein erwartet",
    "bool_type": "ja oder nein erwartet",
    "date_parsing": "Datum erwartet (TT.MM.JJJJ oder JJJJ-MM-TT)",
    "date_from_datetime_parsing": "Datum erwartet (TT.MM.JJJJ oder JJJJ-MM-TT)",
    "date_type": "Datum erwartet (TT.MM.JJJJ oder JJJJ-MM-TT)",
    "datetime_parsing": "Zeitpunkt erwartet (TT.MM.JJJJ HH:MM oder ISO 8601)",
    "datetime_from_date_parsing": "Zeitpunkt erwartet (TT.MM.JJJJ HH:MM oder ISO 8601)",
    "datetime_type": "Zeitpunkt erwartet (TT.MM.JJJJ HH:MM oder ISO 8601)",
}


def german_message(error: Any) -> str:
    """One pydantic error dict as a German sentence, with the offending value."""
    kind = error.get("type", "")
    value = error.get("input")
    shown = f" (Wert: „{value}“)" if isinstance(value, str | int | float) and value != "" else ""
    if kind == "literal_error":
        return (
            f"ungültiger Wert{shown}; erlaubt: {allowed(error.get('ctx', {}).get('expected', ''))}"
        )
    text = _MESSAGES.get(kind) or str(error.get("msg", "ungültig"))
    return text + ("" if kind == "missing" else shown)


def allowed(expected: str) -> str:
    """pydantic's ``'public', 'nonprofit' or 'private'`` as the German labels a coordinator
    knows, with the code in brackets: ``öffentlicher Träger (public), …``."""
    codes = _QUOTED.findall(expected)
    if not codes:
        return expected.replace(" or ", ", ")
    return ", ".join(labelled(codes))
