"""Cell values as offices write them: German dates and numbers, yes/no words, lists.

Each function turns one raw cell into a Python value pydantic then validates; a cell that
does not parse is passed through unchanged so the validator reports it with its position.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Berlin")

_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_GERMAN_DATETIME = re.compile(
    r"^(\d{1,2})\.(\d{1,2})\.(\d{4})[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?$"
)
_THOUSANDS_INT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
_LIST_SPLIT = re.compile(r"[|;,]")

_TRUE = {"ja", "j", "wahr", "x", "true", "yes", "y", "1"}
_FALSE = {"nein", "n", "falsch", "false", "no", "0", "-"}


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        m = _GERMAN_DATE.match(text)
        if m:
            day, month, year = (int(g) for g in m.groups())
            try:
                return date(year, month, day)
            except ValueError:
                return text
        return text
    return value


def parse_datetime(value: Any) -> Any:
    """German or ISO timestamps; without an offset they are read as German local time."""
    parsed: Any = value
    if isinstance(value, str):
        text = value.strip()
        m = _GERMAN_DATETIME.match(text)
        if m:
            day, month, year, hour, minute = (int(g) for g in m.groups()[:5])
            second = int(m.group(6) or 0)
            try:
                parsed = datetime(year, month, day, hour, minute, second)
            except ValueError:
                return text
        else:
            try:
                parsed = datetime.fromisoformat(text)
            except ValueError:
                return text
    elif isinstance(value, date) and not isinstance(value, datetime):
        parsed = datetime.combine(value, time())
    if isinstance(parsed, datetime):
        if isinstance(parsed.tzinfo, timezone):
            return parsed  # already a fixed offset (ISO text with an offset)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=LOCAL_TZ)
        # A fixed offset: the driver mis-stores some named zones, and the instant is what counts.
        parsed = parsed.astimezone(timezone(parsed.utcoffset() or timedelta(0)))
    return parsed


def parse_float(value: Any) -> Any:
    """``1.234,5`` and ``1234,5`` (German) as well as ``1234.5``."""
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        return text
    return value


def parse_int(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        if _THOUSANDS_INT.match(text):
            return text.replace(".", "")
        return text
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def parse_bool(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        return text
    return value


def parse_list(value: Any) -> Any:
    """Ids and codes separated by ``|``, ``;`` or ``,`` (quoted cells keep the separators)."""
    if isinstance(value, str):
        return tuple(part.strip() for part in _LIST_SPLIT.split(value) if part.strip())
    if isinstance(value, int | float):
        return (str(value),)
    return value


def parse_text(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        # Spreadsheets turn ids like 01100101 into numbers; whole numbers become text again.
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return value


# Spreadsheet programs run a cell starting with one of these as a formula (OWASP "CSV
# injection"); "-" and "+" too, so ``-2+3`` or ``=HYPERLINK(…)`` as a Träger name would be live.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTED_FORMULA = re.compile(r"^'+[=+\-@\t\r]")


def formula_safe(text: str) -> str:
    """A text cell as every CSV/XLSX writer must write it: one ``'`` before a formula start
    (the OWASP recommendation), so Excel and LibreOffice show it as text.

    Only for text: numbers are written as numbers and a negative number stays one. A text
    already starting with ``'`` and a formula start gets one more ``'``, so that
    ``formula_restored`` undoes exactly what was added and every text round-trips.
    """
    if text.startswith(FORMULA_STARTS) or _QUOTED_FORMULA.match(text):
        return "'" + text
    return text


def formula_restored(text: str) -> str:
    """The text before ``formula_safe``: the one added ``'`` removed, nothing else."""
    if text.startswith("'") and _QUOTED_FORMULA.match(text):
        return text[1:]
    return text


def format_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def format_float(value: float) -> str:
    return repr(value)
