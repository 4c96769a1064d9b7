"""The writer's paths must agree: a fresh label (no state read), new rows found by the state
read, and changed rows (update, unlink, relink) all end in the same graph."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from graph import Bundle, Graph
from graph.records import (
    Agreement,
    Area,
    Category,
    Consent,
    Household,
    Location,
    Need,
    Network,
    Organization,
    Referral,
    ReferralEvent,
    Service,
)
from graph.write import write_bundle
from loaders.demo import generate
from loaders.references import REFERENCES, TABLE_LABELS

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SMALL_BATCH = 40  # several batches per kind, so later batches of a fresh label are covered


def demo_bundle() -> Bundle:
    return generate("small").bundle


def snapshot(db: Graph) -> tuple[list[str], list[str]]:
    """Every node with its properties (but the version counters) and every relationship."""
    nodes = db.query(
        "MATCH (n) WHERE NOT n:DataRevision "
        "RETURN labels(n) AS labels, n.id AS id, properties(n) AS props"
    )
    node_lines = []
    for row in nodes:
        props = {k: v for k, v in row["props"].items() if k not in ("version", "_hash_version")}
        node_lines.append(repr((sorted(row["labels"]), row["id"], sorted(props.items()))))
    rels = db.query(
        "MATCH (a)-[r]->(b) RETURN type(r) AS t, a.id AS a, b.id AS b, properties(r) AS p"
    )
    rel_lines = [repr((r["t"], r["a"], r["b"], sorted(r["p"].items()))) for r in rels]
    return sorted(node_lines), sorted(rel_lines)


def scrambled(bundle: Bundle) -> Bundle:
    """The same ids with every property and every owned link changed (revocations and area
    indicators excepted: a revocation is final, indicators are kept by key)."""
    ids = {
        label: sorted(r.id for r in getattr(bundle, table)) for table, label in TABLE_LABELS.items()
    }

    def other(label: str, ident: str | None) -> str:
        pool = ids[label]
        return pool[(pool.index(ident) + 1) % len(pool)] if ident in pool else pool[0]

    def scramble(record: Any, table: str) -> Any:
        links = dict(REFERENCES.get(table, ()))
        changes: dict[str, Any] = {}
        for f in fields(record):
            value = getattr(record, f.name)
            if f.name in ("id", "revoked_at", "indicators"):
                continue
            if f.name in links:
                label = links[f.name]
                if isinstance(value, tuple):
                    changes[f.name] = (other(label, value[0] if value else None),)
                else:
                    changes[f.name] = other(label, value)
            elif f.name == "history":
                changes[f.name] = tuple(replace(e, note=e.note + "~", by="x") for e in value)
            elif isinstance(value, bool):
                changes[f.name] = not value
            elif isinstance(value, str):
                changes[f.name] = value + "~"
            elif isinstance(value, int | float):
                changes[f.name] = value + 1
            elif isinstance(value, tuple):
                changes[f.name] = (*value, "xx")
            elif isinstance(value, datetime | date):
                changes[f.name] = value + timedelta(days=1)
        return replace(record, **changes)

    return Bundle(
        **{
            f.name: [
                scramble(r, f.name) if f.name in TABLE_LABELS else r
                for r in getattr(bundle, f.name)
            ]
            for f in fields(Bundle)
        }
    )


def test_fresh_path_and_update_path_give_the_same_graph(db: Graph) -> None:
    bundle = demo_bundle()
    write_bundle(db, bundle, batch_size=SMALL_BATCH, now=T0)
    fresh = snapshot(db)

    db.query("MATCH (n) DETACH DELETE n", write=True)
    write_bundle(db, scrambled(bundle), batch_size=SMALL_BATCH, now=T0)
    assert snapshot(db) != fresh
    counts = write_bundle(db, bundle, batch_size=SMALL_BATCH, now=T0)
    assert not any(counts.created.values())
    assert counts.changed["Referral"] == len(bundle.referrals)
    assert counts.changed["Need"] == len(bundle.needs)
    assert snapshot(db) == fresh


def seed_bundle() -> Bundle:
    """One node of every label, none of them part of the demo."""
    return Bundle(
        areas=[Area(id="zz-a", name="A", level="city")],
        categories=[Category(id="zz-k", name="K")],
        organizations=[Organization(id="zz-o", name="O")],
        locations=[Location(id="zz-l", organization_id="zz-o", name="L", area_id="zz-a")],
        services=[Service(id="zz-s", organization_id="zz-o", name="S")],
        agreements=[Agreement(id="zz-g", title="G", party_ids=("zz-o",))],
        networks=[Network(id="zz-w", name="W")],
        households=[Household(id="zz-h", area_id="zz-a")],
        needs=[Need(id="zz-n", household_id="zz-h", category_id="zz-k")],
        consents=[Consent(id="zz-c", household_id="zz-h", organization_ids=(), purpose="p")],
        referrals=[
            Referral(
                id="zz-r",
                household_id="zz-h",
                from_organization_id="zz-o",
                to_service_id="zz-s",
                consent_id="zz-c",
                status="created",
                created_at=T0,
                history=(ReferralEvent(status="created", at=T0, by="x"),),
            )
        ],
    )


def test_new_rows_of_a_filled_label_are_written_like_a_fresh_label(db: Graph) -> None:
    bundle = demo_bundle()
    write_bundle(db, bundle, batch_size=SMALL_BATCH, now=T0)
    fresh = snapshot(db)

    db.query("MATCH (n) DETACH DELETE n", write=True)
    write_bundle(db, seed_bundle(), now=T0)  # no label is empty now: every batch is read first
    counts = write_bundle(db, bundle, batch_size=SMALL_BATCH, now=T0)
    assert counts.created["Household"] == len(bundle.households)
    assert not any(counts.changed.values())
    db.query("MATCH (n) WHERE n.id STARTS WITH 'zz-' DETACH DELETE n", write=True)
    assert snapshot(db) == fresh


@pytest.mark.parametrize(
    "created_at",
    [
        datetime(2026, 3, 2, 8, 0, 0, 123456, tzinfo=UTC),
        datetime(2026, 3, 2, 8, 0, tzinfo=timezone(timedelta(hours=2))),
        datetime(2026, 3, 2, 8, 0),
    ],
    # No named zone (zoneinfo): the driver's own conversion of those can crash the process
    # (ZoneInfo.utcoffset called with a driver DateTime); loaders turn them into offsets.
    ids=["utc-micros", "fixed-offset", "naive"],
)
def test_temporal_values_are_stored_as_the_driver_would(db: Graph, created_at: datetime) -> None:
    """Date-times with a fixed offset and dates travel as text and are converted by the server;
    what is stored must be what the driver stores for the same value."""
    consent = Consent(
        id="c",
        household_id="h",
        organization_ids=(),
        purpose="p",
        valid_from=date(2026, 1, 31),
        revoked_at=created_at,
    )
    referral = Referral(
        id="r",
        household_id="h",
        from_organization_id="o",
        to_service_id="s",
        consent_id="c",
        status="created",
        created_at=created_at,
        history=(ReferralEvent(status="created", at=created_at, by="x"),),
    )
    bundle = Bundle(households=[Household(id="h", area_id="a")], consents=[consent])
    db.query(
        "CREATE (:Area {id: 'a'}), (:Organization {id: 'o'}), (:Service {id: 's'})", write=True
    )
    write_bundle(db, bundle, now=T0)
    write_bundle(db, Bundle(referrals=[referral]), now=T0)
    (row,) = db.query(
        "MATCH (c:Consent)<-[:UNDER_CONSENT]-(r:Referral)-[:HAS_EVENT]->(e) "
        "RETURN c.valid_from AS valid_from, c.revoked_at AS revoked, r.created_at AS created, "
        "e.at AS at, $value AS driver",
        {"value": created_at},
    )
    assert row["created"] == row["driver"]
    assert row["at"] == row["driver"]
    assert row["revoked"] == row["driver"]
    assert row["valid_from"].to_native() == date(2026, 1, 31)
    if created_at.tzinfo is not None:
        assert row["created"].to_native() == created_at


def test_stamp_keys_must_be_plain_property_names(db: Graph) -> None:
    with pytest.raises(ValueError, match="Eigenschaftsname"):
        write_bundle(db, demo_bundle(), stamp={"x = 1, n.y": 2})


def test_parallel_batches_give_the_same_graph_as_one_at_a_time(db: Graph) -> None:
    bundle = demo_bundle()
    one = write_bundle(db, bundle, batch_size=SMALL_BATCH, now=T0, parallel=1)
    sequential = snapshot(db)
    db.query("MATCH (n) DETACH DELETE n", write=True)
    two = write_bundle(db, bundle, batch_size=SMALL_BATCH, now=T0, parallel=2)
    assert snapshot(db) == sequential
    assert (two.created, two.relationships) == (one.created, one.relationships)
