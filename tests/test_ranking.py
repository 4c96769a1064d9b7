"""Known-answer tests of the pure ranking of referral options."""

from __future__ import annotations

from graph.ranking import (
    AgreementRef,
    Candidate,
    Home,
    ServedArea,
    Wanted,
    district_steps,
    rank,
    target_groups_of,
)
from graph.records import Service

HOME = Home(
    area_id="d1-1",
    enclosing=frozenset({"d1-1", "d1", "city"}),
    contained=frozenset(),
    district_id="d1",
)
LINE = [("d1", "d2"), ("d2", "d3"), ("d3", "d4")]


def candidate(
    ident: str,
    served: tuple[tuple[str, str | None], ...],
    *,
    agreements: tuple[AgreementRef, ...] = (),
    **service: object,
) -> Candidate:
    return Candidate(
        service=Service(id=ident, organization_id="o", name=ident.upper(), **service),  # type: ignore[arg-type]
        organization_name="O",
        served=tuple(ServedArea(id=a, district_id=d) for a, d in served),
        agreements=agreements,
    )


def wanted(**overrides: object) -> Wanted:
    values: dict[str, object] = {
        "category_ids": ("schuldnerberatung",),
        "target_groups": (),
        "languages": (),
        "referring_organization_name": "Jobcenter",
        "max_steps": 1,
    }
    values.update(overrides)
    return Wanted(**values)  # type: ignore[arg-type]


def test_district_steps_breadth_first_within_limit() -> None:
    assert district_steps("d1", LINE, 2) == {"d1": 0, "d2": 1, "d3": 2}
    assert district_steps(None, LINE, 2) == {}


def test_target_groups_from_type_and_age_bands() -> None:
    assert target_groups_of("alleinerziehend", ("25-34", "3-5", "14-17")) == (
        "alleinerziehende",
        "erwachsene",
        "familien",
        "jugendliche",
        "kinder",
    )
    assert target_groups_of("alleinstehend", ("65+",)) == ("senioren",)
    assert target_groups_of("paar-ohne-kinder", ("18-24", "25-34")) == (
        "erwachsene",
        "junge-erwachsene",
    )


def test_reach_priority_fit_and_capacity_add_up() -> None:
    priority = AgreementRef(id="a", title="Vorrang", priority_access=True, category_ids=())
    other_category = AgreementRef(
        id="b", title="Sucht", priority_access=True, category_ids=("suchtberatung",)
    )
    options = rank(
        [
            candidate("local", (("d1", "d1"),), capacity=5, capacity_used=5),
            candidate("city", (("city", None),), languages=("de", "tr")),
            candidate("near", (("d2", "d2"),), agreements=(priority,), target_groups=("familien",)),
            candidate("far", (("d3", "d3"),)),
            candidate("sub", (("d1-2", "d1"),), agreements=(other_category,)),
        ],
        HOME,
        LINE,
        wanted(target_groups=("familien",), languages=("tr",)),
    )
    assert [(o.service.id, o.score, o.steps) for o in options] == [
        # 20 (one step) + 40 (priority) + 15 (target group) - 10 (language)
        ("near", 65, 1),
        # 30 (city-wide) + 5 (open to all) + 15 (language)
        ("city", 50, 0),
        # 30 (same district) + 5 - 10; the agreement does not cover the category
        ("sub", 25, 0),
        # 30 + 5 - 10 - 20 (full)
        ("local", 5, 0),
    ]
    assert [r.code for r in options[0].reasons] == [
        "REACH",
        "PRIORITY_AGREEMENT",
        "TARGET_GROUP",
        "LANGUAGE_MISMATCH",
        # No capacity known: said, and worth no points (unknown is not free).
        "CAPACITY_UNKNOWN",
    ]
    assert "Jobcenter" in options[0].reasons[1].text


def test_ties_break_by_steps_then_name_and_the_order_is_stable() -> None:
    cands = [candidate(i, (("d1", "d1"),)) for i in ("b", "a", "c")]
    first = rank(cands, HOME, LINE, wanted())
    assert [o.service.id for o in first] == ["a", "b", "c"]
    assert rank(list(reversed(cands)), HOME, LINE, wanted()) == first
    assert rank(cands, HOME, LINE, wanted(max_steps=0))[0].steps == 0


def test_free_places_in_words_with_the_right_plural_and_unknown_occupancy() -> None:
    def texts(**capacity: int | None) -> list[str]:
        (option,) = rank([candidate("x", (("d1", "d1"),), **capacity)], HOME, LINE, wanted())
        return [r.text for r in option.reasons if r.code.startswith(("FREE", "FULL", "CAPACITY"))]

    assert texts(capacity=5, capacity_used=4) == ["1 freier Platz"]
    assert texts(capacity=5, capacity_used=2) == ["3 freie Plätze"]
    assert texts(capacity=5, capacity_used=5) == ["Keine freien Plätze"]
    # Occupancy unknown: never counted as free places.
    tail = ": nicht als frei gewertet, daher nach Angeboten mit bekannten freien Plätzen"
    assert texts(capacity=5) == ["Auslastung unbekannt (keine Belegung gemeldet)" + tail]
    assert texts() == ["Auslastung unbekannt (keine Platzzahl gemeldet)" + tail]
