"""The generated Land (loaders/demo/land.py): deterministic, distinct ids per Gebiet, written
to Neo4j it splits into its Gebiete, and the demo city inside it keeps its planted truth."""

from __future__ import annotations

from dataclasses import fields

import pytest

from graph import Graph
from graph.admin import clear
from graph.analysis import analyse
from graph.write import write_bundle
from loaders.demo.land import GEBIETE, Land, generate_land

SMALL = {
    "gebiete": 2,
    "organizations": 40,
    "households": 120,
    "referrals": 200,
    "agreements": 60,
    "city_size": "small",
}


def small_land(seed: int = 2026) -> Land:
    return generate_land(seed, **SMALL)  # type: ignore[arg-type]


def test_same_seed_same_records_other_seed_other_records() -> None:
    assert small_land().bundle == small_land().bundle
    assert small_land(7).bundle.referrals != small_land().bundle.referrals


def test_ids_are_unique_and_generated_gebiete_are_prefixed() -> None:
    bundle = small_land().bundle
    for f in fields(bundle):
        ids = [r.id for r in getattr(bundle, f.name) if hasattr(r, "id")]
        assert len(ids) == len(set(ids)), f"{f.name}: an id is used twice"
    prefixes = tuple(f"land-{slug}" for slug, _ in GEBIETE[:2])
    generated = [o.id for o in bundle.organizations if o.source == "demo-land"]
    assert len(generated) == 2 * (40 + 3)  # providers plus three referring offices each
    assert all(i.startswith(prefixes) for i in generated)


def test_too_many_gebiete_is_refused() -> None:
    with pytest.raises(ValueError, match="gebiete"):
        generate_land(gebiete=len(GEBIETE) + 1)


def test_written_land_is_analysed_per_gebiet_and_city_keeps_its_truth(graph: Graph) -> None:
    land = small_land()
    clear(graph)
    write_bundle(graph, land.bundle)
    report = analyse(graph)
    assert {s.id for s in report.scopes} == {
        "stuttgart",
        "lkr-lindenau",
        "land-neuhafen",
        "land-altenbrueck",
    }
    generated = report.part("land-neuhafen")
    assert len(generated.snapshot.organizations) == 43
    written = [r for r in land.bundle.referrals if r.id.startswith("land-neuhafen-")]
    assert len(written) > 150  # nearly every draft finds a service of its Leistungsbereich
    assert {r.id for r in generated.snapshot.referrals} == {r.id for r in written}
    city = report.part("stuttgart")
    truth = land.truth
    assert {(g.area_ids[0], g.category_id) for g in city.gaps} == set(truth.gaps)
    assert {frozenset(f.organization_ids) for f in city.missing_cooperation} == set(
        truth.missing_cooperation
    )
    assert {frozenset(f.service_ids) for f in city.duplicate_structures} == set(
        truth.duplicate_structures
    )
