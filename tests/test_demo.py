"""The demo generator: determinism, sizes, shared vocabulary, plausibility, privacy, and
writing it to the real Neo4j (referential integrity, idempotent re-load, CLI)."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from dataclasses import fields
from datetime import UTC, datetime
from functools import cache

import pytest
from click.testing import CliRunner

from api.cli import main
from api.settings import get_settings
from graph import Graph
from graph.admin import label_counts
from graph.records import Household
from graph.write import write_bundle
from loaders.demo import Demo, generate

DISTRICT_SLUGS = {
    "mitte", "nord", "ost", "sued", "west", "bad-cannstatt", "birkach", "botnang", "degerloch",
    "feuerbach", "hedelfingen", "moehringen", "muehlhausen", "muenster", "obertuerkheim",
    "plieningen", "sillenbuch", "stammheim", "untertuerkheim", "vaihingen", "wangen",
    "weilimdorf", "zuffenhausen",
}  # fmt: skip
CATEGORIES = {
    "schuldnerberatung", "suchtberatung", "sozialpsychiatrie", "erziehungsberatung",
    "wohnungsnotfallhilfe", "kinderbetreuung", "arbeitsfoerderung", "migrationsberatung",
}  # fmt: skip
TARGET_GROUPS = {
    "familien", "alleinerziehende", "kinder", "jugendliche", "junge-erwachsene", "erwachsene",
    "senioren", "gefluechtete",
}  # fmt: skip
LANGUAGES = {"de", "tr", "ar", "ru", "uk", "en", "it", "el", "hr", "fa"}
PERIOD = (datetime(2024, 11, 1, tzinfo=UTC), datetime(2026, 10, 31, 23, 59, tzinfo=UTC))
NEXT = {
    "created": {"accepted", "declined", "cancelled"},
    "accepted": {"started", "cancelled"},
    "started": {"completed", "cancelled"},
}


@cache
def small(seed: int = 2026) -> Demo:
    return generate("small", seed)


@cache
def city() -> Demo:
    return generate("city")


def test_same_seed_gives_identical_output_and_another_seed_differs() -> None:
    first, second = generate("small", 2026), generate("small", 2026)
    assert first.bundle == second.bundle
    assert first.truth == second.truth
    assert first.truth.to_json() == second.truth.to_json()
    other = generate("small", 2027)
    assert other.bundle.households != first.bundle.households
    assert other.truth.double_support != first.truth.double_support


DIGEST = (
    "import hashlib, sys; from loaders.demo import generate; d = generate('small', 5); "
    "sys.stdout.write(hashlib.sha256((repr(d.bundle) + d.truth.to_json()).encode()).hexdigest())"
)


def test_output_does_not_depend_on_the_interpreter_hash_seed() -> None:
    # Iterating over a set of strings would follow PYTHONHASHSEED; the generator must not.
    digests = {
        subprocess.run(
            [sys.executable, "-c", DIGEST],
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for hash_seed in ("1", "2")
    }
    assert len(digests) == 1


def test_sizes() -> None:
    s, c = small().bundle.counts(), city().bundle.counts()
    assert s["households"] == 300
    assert c["households"] == 3_200
    assert 150 < s["referrals"] < c["referrals"] / 5
    # large is generated in bench/ only; its ratio is pinned by the size spec.
    from loaders.demo.sizes import SIZE_SPECS

    assert SIZE_SPECS["large"].households == 10 * SIZE_SPECS["city"].households


def test_areas_follow_the_shared_vocabulary() -> None:
    b = small().bundle
    by_id = {a.id: a for a in b.areas}
    assert by_id["stuttgart"].level == "city"
    districts = {a.id for a in b.areas if a.level == "district"}
    assert districts == {f"stuttgart-{slug}" for slug in DISTRICT_SLUGS}
    assert all(by_id[d].parent_id == "stuttgart" for d in districts)
    for a in b.areas:
        if a.level == "subdistrict":
            assert a.parent_id in districts
            assert re.fullmatch(rf"{re.escape(a.parent_id)}-\d+", a.id)
        if a.level in ("city", "district"):
            assert {"sgb2_quote", "kinderarmut_quote"} <= set(a.indicators)
            assert a.population
            assert a.population > 0
    assert sum(by_id[d].population or 0 for d in districts) == pytest.approx(610_000, rel=0.05)
    neighbours: dict[str, set[str]] = {d: set() for d in districts}
    for adj in b.adjacencies:
        assert adj.area_id in districts
        assert adj.other_area_id in districts
        neighbours[adj.area_id].add(adj.other_area_id)
        neighbours[adj.other_area_id].add(adj.area_id)
    assert neighbours["stuttgart-mitte"] == {
        "stuttgart-nord", "stuttgart-ost", "stuttgart-sued", "stuttgart-west",
    }  # fmt: skip
    assert "stuttgart-untertuerkheim" in neighbours["stuttgart-obertuerkheim"]
    assert "stuttgart-vaihingen" not in neighbours["stuttgart-bad-cannstatt"]
    assert all(2 <= len(n) <= 7 for n in neighbours.values())


def test_partner_landscape() -> None:
    b = small().bundle
    orgs = {o.id: o for o in b.organizations}
    for key in ("jobcenter-stuttgart", "jugendamt-stuttgart", "caritas-stuttgart",
                "eva-stuttgart", "praeventsozial"):  # fmt: skip
        assert key in orgs
    assert orgs["jobcenter-stuttgart"].sector == "public"
    assert {c.id for c in b.categories} == CATEGORIES
    services = [s for s in b.services if s.status == "active"]
    for s in b.services:
        assert set(s.target_groups) <= TARGET_GROUPS
        assert set(s.languages) <= LANGUAGES
        assert "de" in s.languages
        assert s.legal_basis
        assert s.legal_basis.startswith("§ ")
        assert s.capacity
        assert s.capacity >= 1
        assert s.area_ids
        assert s.location_ids
    # Active services are valid over the whole demo period; ended ones ended before it.
    for s in services:
        assert s.valid_from
        assert s.valid_from <= PERIOD[0].date()
        assert s.valid_to is None or s.valid_to > PERIOD[1].date()
    for s in b.services:
        if s.status != "active":
            assert s.valid_to
            assert s.valid_to < PERIOD[0].date()
    for loc in b.locations:
        assert loc.latitude
        assert 48.69 < loc.latitude < 48.87
        assert loc.longitude
        assert 9.03 < loc.longitude < 9.32
    jobcenter = [loc for loc in b.locations if loc.organization_id == "jobcenter-stuttgart"]
    assert len(jobcenter) >= 5
    # Schuldnerberatung: the three Träger of the Verbund split the 23 Bezirke.
    sb = [s for s in services if "schuldnerberatung" in s.category_ids]
    assert {s.organization_id for s in sb} == {
        "caritas-stuttgart",
        "eva-stuttgart",
        "praeventsozial",
    }
    members = {
        m.organization_id for m in b.memberships if m.network_id == "zentrale-schuldnerberatung"
    }
    assert {"caritas-stuttgart", "eva-stuttgart", "praeventsozial"} <= members
    assert any(m.network_id == "suchthilfeverbund" for m in b.memberships)
    assert any(n.kind == "arbeitskreis" for n in b.networks)
    priority = {
        frozenset(a.party_ids)
        for a in b.agreements
        if a.priority_access and a.category_ids == ("schuldnerberatung",)
    }
    for org in ("caritas-stuttgart", "eva-stuttgart", "praeventsozial"):
        assert frozenset({"jobcenter-stuttgart", org}) in priority


def test_households_are_pseudonymous() -> None:
    b = small().bundle
    # organization_id: the organization whose case it is (an id, no person); closed_on: the
    # day the case ended (a date, no person).
    assert [f.name for f in fields(Household)] == [
        "id", "area_id", "household_type", "age_bands", "organization_id", "closed_on", "source",
    ]  # fmt: skip
    subdistricts = {a.id for a in b.areas if a.level == "subdistrict"}
    for h in b.households:
        assert re.fullmatch(r"hh-\d{6}", h.id)
        assert h.area_id in subdistricts
        assert all(re.fullmatch(r"\d+-\d+|65\+", band) for band in h.age_bands)
    for c in b.consents:
        assert all(re.fullmatch(r"mitglied-\d", m) for m in c.members)
    staff = {e.by for r in b.referrals for e in r.history}
    assert all(re.fullmatch(r"(fm|asd|mb)-\d{3}", s) for s in staff)


def test_needs_and_consents_fit_the_referrals() -> None:
    b = small().bundle
    households = {h.id for h in b.households}
    needs = {n.id: n for n in b.needs}
    consents = {c.id: c for c in b.consents}
    services = {s.id: s for s in b.services}
    assert len({(n.household_id, n.category_id) for n in b.needs}) == len(b.needs)
    for r in b.referrals:
        assert r.household_id in households
        assert r.from_organization_id in ("jobcenter-stuttgart", "jugendamt-stuttgart")
        service = services[r.to_service_id]
        assert service.status == "active"
        need = needs[r.need_id or ""]
        assert need.household_id == r.household_id
        assert need.category_id in service.category_ids
        consent = consents[r.consent_id]
        assert consent.household_id == r.household_id
        assert service.organization_id in consent.organization_ids
        assert consent.valid_from
        assert consent.valid_from <= r.created_at.date()
        if r.status in ("created", "accepted", "started"):
            assert consent.revoked_at is None
            assert consent.valid_to
            assert consent.valid_to > PERIOD[1].date()


def test_referral_histories_are_plausible() -> None:
    b = small().bundle
    statuses = {r.status for r in b.referrals}
    assert {"created", "accepted", "declined", "started", "completed"} <= statuses
    for r in b.referrals:
        events = r.history
        assert events[0].status == "created"
        assert events[0].at == r.created_at
        assert events[-1].status == r.status
        for before, after in itertools.pairwise(events):
            assert after.status in NEXT[before.status]
            assert after.at > before.at
        assert PERIOD[0] <= events[0].at
        assert events[-1].at <= PERIOD[1]
    months = {r.created_at.strftime("%Y-%m") for r in city().bundle.referrals}
    assert len(months) == 24


def test_small_demo_writes_atomically_and_reloads_unchanged(db: Graph) -> None:
    bundle = small().bundle
    counts = write_bundle(db, bundle, atomic=True)
    assert counts.created["Household"] == 300
    assert counts.created["Referral"] == len(bundle.referrals)
    stored = label_counts(db)
    assert stored["Service"] == len(bundle.services)
    assert stored["ReferralEvent"] == sum(len(r.history) for r in bundle.referrals)
    again = write_bundle(db, generate("small").bundle)
    assert sum(again.created.values()) == 0
    assert sum(again.changed.values()) == 0
    assert sum(again.unchanged.values()) == sum(counts.created.values())
    sources = db.query("MATCH (n) RETURN collect(DISTINCT n.source) AS sources")
    assert sources[0]["sources"] == ["demo"]


def test_cli_loads_if_empty_and_writes_the_truth(db: Graph) -> None:
    runner = CliRunner()
    settings = get_settings()
    truth_file = settings.state_dir / "demo-truth-small.json"
    truth_file.unlink(missing_ok=True)
    result = runner.invoke(main, ["demo", "load", "--size", "small", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "households" in result.output
    assert label_counts(db)["Household"] == 300
    assert json.loads(truth_file.read_text(encoding="utf-8")) == small().truth.to_dict()
    skipped = runner.invoke(main, ["demo", "load", "--size", "small", "--if-empty"])
    assert skipped.exit_code == 0
    assert "bereits Daten" in skipped.output
    printed = runner.invoke(main, ["demo", "truth", "--size", "small", "--seed", "7"])
    assert printed.exit_code == 0
    assert json.loads(printed.output) == small(7).truth.to_dict()


def test_cli_reset_replaces_other_data(db: Graph) -> None:
    db.query("CREATE (:Organization {id: 'fremd', name: 'Fremd'})", write=True)
    result = CliRunner().invoke(main, ["demo", "load", "--size", "small", "--reset"])
    assert result.exit_code == 0, result.output
    assert db.query("MATCH (o:Organization {id: 'fremd'}) RETURN count(o) AS n")[0]["n"] == 0
    assert label_counts(db)["Household"] == 300
