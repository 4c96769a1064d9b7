"""The German labels of the fixed vocabularies: the code kept in the graph and the word a
coordinator knows. Import messages name the allowed values with these labels (and the code in
brackets); tabular files accept the label as well as the code (loaders/tabular/tables.py)."""

from __future__ import annotations

from typing import get_args

from graph.records import (
    CONSENT_DATA_CATEGORIES,
    AreaLevel,
    NeedStatus,
    NetworkKind,
    ReferralStatus,
    Sector,
    ServiceStatus,
    Term,
)


def _terms(codes: object, labels: dict[str, str]) -> tuple[Term, ...]:
    """The vocabulary in the order of its Literal; every code needs a label."""
    ordered = get_args(codes)
    if set(ordered) != set(labels):
        raise AssertionError(f"Bezeichnungen passen nicht zu {ordered}")
    return tuple(Term(code, labels[code], "") for code in ordered)


VOCABULARIES: dict[str, tuple[Term, ...]] = {
    "level": _terms(
        AreaLevel,
        {
            "city": "Stadt",
            "district": "Bezirk",
            "subdistrict": "Stadtteil",
            "planning": "Planungsraum",
        },
    ),
    "sector": _terms(
        Sector,
        {
            "public": "öffentlicher Träger",
            "nonprofit": "freier Träger",
            "private": "privater Träger",
        },
    ),
    "service_status": _terms(
        ServiceStatus, {"active": "aktiv", "inactive": "inaktiv", "archived": "archiviert"}
    ),
    "need_status": _terms(NeedStatus, {"open": "offen", "met": "erfüllt", "closed": "geschlossen"}),
    "referral_status": _terms(
        ReferralStatus,
        {
            "created": "angelegt",
            "waitlisted": "Warteliste",
            "accepted": "angenommen",
            "declined": "abgelehnt",
            "started": "begonnen",
            "completed": "abgeschlossen",
            "cancelled": "zurückgezogen",
            "not_taken_up": "nicht wahrgenommen",
        },
    ),
    "network_kind": _terms(
        NetworkKind,
        {"verbund": "Verbund", "arbeitskreis": "Arbeitskreis", "netzwerk": "Netzwerk"},
    ),
    "data_category": CONSENT_DATA_CATEGORIES,
}

_BY_CODES: dict[frozenset[str], tuple[Term, ...]] = {
    frozenset(t.code for t in terms): terms for terms in VOCABULARIES.values()
}


def vocabulary_of(codes: list[str]) -> tuple[Term, ...] | None:
    """The vocabulary with exactly these codes (as a validation error lists them), or None."""
    return _BY_CODES.get(frozenset(codes))


def labelled(codes: list[str]) -> list[str]:
    """``freier Träger (nonprofit)`` for each code of a known vocabulary; other codes as they
    are. The label where it differs from the code only in case is not repeated."""
    terms = vocabulary_of(codes)
    if terms is None:
        return list(codes)
    return [t.label if t.label.casefold() == t.code else f"{t.label} ({t.code})" for t in terms]
