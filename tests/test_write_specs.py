"""The writer's relationship targets, read from each record field by its declared type."""

from __future__ import annotations

from datetime import UTC, datetime

from graph.model import NODE_SPECS
from graph.records import Location, Referral, ReferralEvent, Service


def _targets(record: object) -> dict[str, list[str]]:
    return {rel.type: list(rel.targets(record)) for rel in NODE_SPECS[type(record)].rels}


def test_optional_ids_give_no_target_while_unset() -> None:
    assert _targets(Location(id="l", name="L")) == {"HAS_LOCATION": [], "IN_AREA": []}
    assert _targets(Location(id="l", name="L", organization_id="", area_id="a")) == {
        "HAS_LOCATION": [],
        "IN_AREA": ["a"],
    }


def test_tuples_give_each_id_and_required_ids_themselves() -> None:
    service = Service(id="s", organization_id="o", name="S", category_ids=("c1", "c2"))
    assert _targets(service) == {
        "PROVIDES": ["o"],
        "IN_CATEGORY": ["c1", "c2"],
        "SERVES": [],
        "AT_LOCATION": [],
    }


def test_referral_history_targets_its_events() -> None:
    at = datetime(2026, 1, 5, tzinfo=UTC)
    event = ReferralEvent(status="created", at=at, by="cw", note="")
    referral = Referral(
        id="r",
        household_id="h",
        from_organization_id="o",
        to_service_id="s",
        consent_id="c",
        status="created",
        created_at=at,
        history=(event, event),
    )
    assert _targets(referral) == {
        "FOR_HOUSEHOLD": ["h"],
        "FOR_NEED": [],
        "FROM_ORGANIZATION": ["o"],
        "TO_SERVICE": ["s"],
        "UNDER_CONSENT": ["c"],
        "HAS_EVENT": ["r#0", "r#1"],
    }


def test_relationship_fields_are_not_properties() -> None:
    for spec in NODE_SPECS.values():
        assert {rel.field for rel in spec.rels} <= spec.not_props
