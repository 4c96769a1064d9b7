"""What an HSDS import keeps beyond verbund's own fields reaches the Open Referral API too
(programs, schedules, contacts, phones … laid over the answers by the same mapping as the
file export), and a taxonomy record of its own is kept with the terms that name it and
served again; answers checked against the official OpenAPI description and schemas."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph import Graph
from graph.readback import read_bundle
from loaders.hsds.writer import service_records
from tests.loader_helpers import import_path
from tests.test_hsds_api import app_with, get, validate, validate_object
from tests.test_hsds_examples import EXAMPLES, _contents, _without_org_locations, missing_leaves

pytestmark = pytest.mark.skipif(not EXAMPLES.is_dir(), reason="../shared/data/hsds fehlt")


@pytest.fixture
def public(db: Graph) -> Iterator[TestClient]:
    with TestClient(app_with(db, "public")) as client:
        yield client


def test_the_api_serves_what_the_import_kept(db: Graph, public: TestClient) -> None:
    path = EXAMPLES / "service_full.json"
    import_path(db, path, source="hsds-beispiel")
    (received,) = _contents(path)
    received = _without_org_locations(received)
    # The parts verbund has no field for, which the API used to leave out.
    for part in ("program", "schedules", "contacts", "phones", "cost_options", "funding"):
        assert received.get(part), part
    answer = get(public, f"/hsds/services/{received['id']}")
    validate("/services/{id}", answer)
    assert missing_leaves(received, answer) == []
    # One mapping: the API answer is the file export's record.
    (exported,) = [r for r in service_records(read_bundle(db)) if r["id"] == received["id"]]
    assert answer == exported
    # The list (one-to-one fields) and the full list carry the kept fields as well.
    listed = get(public, "/hsds/services")
    validate("/services", listed)
    (item,) = listed["contents"]
    for key, value in received.items():
        if not isinstance(value, list | dict):
            assert item[key] == value, key
    assert get(public, "/hsds/services?full=true")["contents"] == [answer]
    # The Träger with its kept fields (its own phones, contacts, funding …).
    org = get(public, f"/hsds/organizations/{received['organization']['id']}")
    validate("/organizations/{id}", org)
    assert missing_leaves(received["organization"], org) == []


def _taxonomy_with_term(tmp_path: Path) -> tuple[Any, Any, Path]:
    taxonomy = json.loads((EXAMPLES / "taxonomy.json").read_text("utf-8"))
    term = json.loads((EXAMPLES / "taxonomy_term.json").read_text("utf-8"))
    # The term names its taxonomy by id only, as a directory sending both would.
    term = {k: v for k, v in term.items() if k not in ("taxonomy_detail", "parent_id")} | {
        "taxonomy": taxonomy["id"]
    }
    path = tmp_path / "taxonomie.json"
    path.write_text(json.dumps([taxonomy, term]), encoding="utf-8")
    return taxonomy, term, path


def test_a_taxonomy_is_kept_with_its_terms_and_served_again(
    db: Graph, public: TestClient, tmp_path: Path
) -> None:
    taxonomy, term, path = _taxonomy_with_term(tmp_path)
    report = import_path(db, path, source="hsds-beispiel")
    assert report.plan.created.get("Category") == 1
    served = get(public, f"/hsds/taxonomy_terms/{term['id']}")
    validate("/taxonomy_terms/{id}", served)
    assert served["taxonomy"] == taxonomy["id"]
    assert served["taxonomy_detail"] == taxonomy
    listed = get(public, "/hsds/taxonomies?per_page=50")
    validate("/taxonomies", listed)
    assert taxonomy in listed["contents"]
    one = get(public, f"/hsds/taxonomies/{taxonomy['id']}")
    validate("/taxonomies/{id}", one)
    validate_object("taxonomy.json", one)
    assert one == taxonomy
    assert get(public, f"/hsds/taxonomies?search={taxonomy['name']}")["total_items"] >= 1
    # Importing the same file again changes nothing.
    again = import_path(db, path, source="hsds-beispiel")
    assert sum(again.plan.changed.values()) == 0


def test_a_taxonomy_no_term_names_is_reported_and_nothing_is_written(
    db: Graph, tmp_path: Path
) -> None:
    report = import_path(db, EXAMPLES / "taxonomy.json", source="hsds-beispiel")
    assert sum(report.plan.created.values()) == 0
    messages = [w.message for w in report.warnings]
    assert any("kein Begriff dieses Imports nennt sie" in m for m in messages), messages
    # Nothing of the directory written (the import's own run record aside).
    found = db.query("MATCH (n:Category|Organization|Service|Location) RETURN count(n) AS n")
    assert found == [{"n": 0}]
