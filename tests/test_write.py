"""Batched idempotent writes: create, no-op re-write, update, stale relationships, dangling refs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from graph import Bundle, Graph, IntegrityError
from graph.admin import label_counts
from graph.records import (
    Adjacency,
    Area,
    Category,
    Consent,
    Household,
    Organization,
    Referral,
    ReferralEvent,
    Service,
)
from graph.write import write_bundle

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def small_bundle() -> Bundle:
    return Bundle(
        areas=[
            Area(id="st", name="Stuttgart", level="city"),
            Area(
                id="st-mitte",
                name="Mitte",
                level="district",
                parent_id="st",
                indicators={"sgb2_quote": 9.5},
            ),
            Area(id="st-ost", name="Ost", level="district", parent_id="st"),
        ],
        adjacencies=[Adjacency(area_id="st-mitte", other_area_id="st-ost")],
        categories=[Category(id="schuldnerberatung", name="Schuldnerberatung")],
        organizations=[Organization(id="caritas", name="Caritasverband")],
        services=[
            Service(
                id="sb-mitte",
                organization_id="caritas",
                name="Schuldnerberatung Mitte",
                category_ids=("schuldnerberatung",),
                area_ids=("st-mitte", "st-ost"),
                capacity=40,
                languages=("de", "tr"),
            )
        ],
        households=[Household(id="hh-1", area_id="st-ost")],
        consents=[
            Consent(
                id="c-1",
                household_id="hh-1",
                organization_ids=("caritas",),
                purpose="Schuldnerberatung",
            )
        ],
        referrals=[
            Referral(
                id="r-1",
                household_id="hh-1",
                from_organization_id="caritas",
                to_service_id="sb-mitte",
                consent_id="c-1",
                status="accepted",
                created_at=T0,
                history=(
                    ReferralEvent(status="created", at=T0, by="fm-1"),
                    ReferralEvent(status="accepted", at=T0, by="sb-2"),
                ),
            )
        ],
    )


def test_write_creates_nodes_and_relationships(db: Graph) -> None:
    counts = write_bundle(db, small_bundle())
    assert counts.created["Area"] == 3
    assert label_counts(db) == {
        "Area": 3,
        "Category": 1,
        "Consent": 1,
        "Household": 1,
        "Organization": 1,
        "Referral": 1,
        "ReferralEvent": 2,
        "Service": 1,
    }
    rows = db.query(
        "MATCH (o:Organization)-[:PROVIDES]->(s:Service)-[:SERVES]->(a:Area) "
        "RETURN o.id AS o, a.id AS a ORDER BY a"
    )
    assert rows == [{"o": "caritas", "a": "st-mitte"}, {"o": "caritas", "a": "st-ost"}]
    (adj,) = db.query("MATCH (:Area {id:'st-ost'})-[:ADJACENT_TO]-(b) RETURN b.id AS b")
    assert adj["b"] == "st-mitte"
    (area,) = db.query(
        "MATCH (a:Area {id:'st-mitte'}) RETURN a.indicator_sgb2_quote AS q, "
        "a.version AS v, a.source AS s"
    )
    assert area == {"q": 9.5, "v": 1, "s": "manual"}


def test_rewrite_is_a_no_op(db: Graph) -> None:
    write_bundle(db, small_bundle())
    before = db.query("MATCH (n) RETURN n.id AS id, n.updated_at AS u, n.version AS v ORDER BY id")
    counts = write_bundle(db, small_bundle())
    assert sum(counts.created.values()) == 0
    assert sum(counts.changed.values()) == 0
    after = db.query("MATCH (n) RETURN n.id AS id, n.updated_at AS u, n.version AS v ORDER BY id")
    assert after == before
    (rels,) = db.query("MATCH ()-[r]->() RETURN count(r) AS n")
    assert rels["n"] == 16


def test_changed_record_updates_node_and_drops_stale_relationships(db: Graph) -> None:
    bundle = small_bundle()
    write_bundle(db, bundle)
    bundle.services[0] = replace(bundle.services[0], area_ids=("st-ost",), capacity=35)
    counts = write_bundle(db, Bundle(services=bundle.services))
    assert counts.changed == {"Service": 1}
    (row,) = db.query(
        "MATCH (s:Service {id:'sb-mitte'}) OPTIONAL MATCH (s)-[:SERVES]->(a) "
        "RETURN s.capacity AS c, s.version AS v, collect(a.id) AS areas"
    )
    assert row == {"c": 35, "v": 2, "areas": ["st-ost"]}


def test_dangling_reference_in_atomic_write_changes_nothing(db: Graph) -> None:
    bad = Bundle(
        organizations=[Organization(id="evg", name="Evangelische Gesellschaft")],
        services=[Service(id="x", organization_id="gibt-es-nicht", name="X")],
    )
    with pytest.raises(IntegrityError) as err:
        write_bundle(db, bad, atomic=True)
    assert ("Organization", "gibt-es-nicht") in err.value.missing
    assert label_counts(db) == {}


def test_retried_batch_is_counted_once(db: Graph) -> None:
    """The driver re-runs a transaction function after a transient error; what the first,
    rolled-back attempt did must not be counted or reported again."""
    from neo4j.exceptions import TransientError

    from graph.write import _Writer

    attempts = 0

    def flaky(work: Any) -> Any:
        def once_failing(tx: Any) -> Any:
            nonlocal attempts
            attempts += 1
            result = work(tx)
            if attempts == 1:
                raise TransientError("simulierte Verklemmung")
            return result

        return db.write(once_failing)

    bundle = small_bundle()
    writer = _Writer(flaky, 100, T0)
    writer.nodes(bundle.areas)
    writer.nodes([Service(id="lonely", organization_id="nowhere", name="X", area_ids=("st-ost",))])
    assert attempts > 2  # the first batch really was retried
    assert writer.counts.created == {"Area": 3, "Service": 1}
    assert writer.counts.relationships == 2 + 1  # two PART_OF, one SERVES
    assert writer.missing == [("Organization", "nowhere")]
    (row,) = db.query("MATCH (a:Area) RETURN count(a) AS n")
    assert row["n"] == 3
