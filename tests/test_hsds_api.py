"""The Open Referral API (/hsds) on the small demo: every answer validates against the
official OpenAPI description's response schemas, paging adds up, filters narrow, household
data never appears, and VERBUND_HSDS_API decides who may read."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012 as _DRAFT
from starlette.testclient import TestClient

from api.app import create_app
from api.settings import Settings, get_settings
from graph import Graph
from graph.readback import read_bundle
from loaders.hsds.writer import one_to_one, service_records
from tests.apikit import load_small_demo
from tests.loader_helpers import shared_data

HSDS = shared_data() / "hsds"
SCHEMAS = HSDS / "schema"
OPENAPI = json.loads((SCHEMAS / "openapi.json").read_text("utf-8"))
REMOTE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
# The OpenAPI description refers to the published compiled schemas; the local copy has the
# same objects uncompiled (each refers to the others by file name). A "_list" schema is the
# object with its one-to-one fields only, i.e. the same object schema (arrays optional).
LOCAL_OF = {
    "compiled/service.json": "service.json",
    "compiled/service_list.json": "service.json",
    "compiled/organization.json": "organization.json",
    "compiled/organization_list.json": "organization.json",
    "compiled/service_at_location_list.json": "service_at_location.json",
    "taxonomy.json": "taxonomy.json",
    "taxonomy_term.json": "taxonomy_term.json",
}

pytestmark = pytest.mark.skipif(not SCHEMAS.is_dir(), reason="../shared/data/hsds fehlt")


def _registry() -> Registry[Any]:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        body = Resource.from_contents(json.loads(path.read_text("utf-8")), _DRAFT)
        # Relative $refs ("program.json") resolve against where the schema was found.
        for where in (path.name, REMOTE + path.name, REMOTE + "compiled/" + path.name):
            resources.append((where, body))
    for remote, local in LOCAL_OF.items():
        body = Resource.from_contents(json.loads((SCHEMAS / local).read_text("utf-8")), _DRAFT)
        resources.append((REMOTE + remote, body))
    return Registry().with_resources(resources)


def response_schema(path: str) -> dict[str, Any]:
    """The 200 answer's schema of ``path`` in the OpenAPI description, its $refs resolvable."""
    schema = OPENAPI["paths"][path]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    return {**schema, "components": OPENAPI["components"]}


def _rewrite(schema: Any) -> Any:
    # "#/components/..." refers into the OpenAPI document; inline it for the validator.
    if isinstance(schema, dict):
        ref = schema.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            return _rewrite(OPENAPI["components"]["schemas"][ref.rsplit("/", 1)[1]])
        return {k: _rewrite(v) for k, v in schema.items() if k != "components"}
    if isinstance(schema, list):
        return [_rewrite(v) for v in schema]
    return schema


REGISTRY = _registry()


def validate(path: str, answer: Any) -> None:
    schema = _rewrite(response_schema(path))
    Draft202012Validator(schema, registry=REGISTRY).validate(answer)


def validate_object(file: str, value: Any) -> None:
    Draft202012Validator({"$ref": file}, registry=REGISTRY).validate(value)


def app_with(graph: Graph, mode: str) -> Any:
    settings = get_settings().model_copy(update={"hsds_api": mode})
    assert isinstance(settings, Settings)
    return create_app(settings, graph)


@pytest.fixture(scope="module")
def demo(graph: Graph) -> Graph:
    load_small_demo(graph)
    return graph


@pytest.fixture(scope="module")
def public(demo: Graph) -> Iterator[TestClient]:
    with TestClient(app_with(demo, "public")) as client:
        yield client


def get(client: TestClient, url: str) -> Any:
    answer = client.get(url)
    assert answer.status_code == 200, answer.text
    return answer.json()


# Validation against the official description


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/hsds/", "/"),
        ("/hsds/services", "/services"),
        ("/hsds/services?full=true&per_page=5", "/services"),
        ("/hsds/organizations", "/organizations"),
        ("/hsds/organizations?full=true&per_page=3", "/organizations"),
        ("/hsds/service_at_locations", "/service_at_locations"),
        ("/hsds/taxonomies", "/taxonomies"),
        ("/hsds/taxonomy_terms?per_page=100", "/taxonomy_terms"),
    ],
)
def test_list_answers_validate(public: TestClient, url: str, path: str) -> None:
    answer = get(public, url)
    validate(path, answer)
    if path != "/":
        assert answer["contents"], "die Demo hat Einträge"


def test_each_record_by_id_validates(public: TestClient) -> None:
    service = get(public, "/hsds/services?per_page=1")["contents"][0]
    full = get(public, f"/hsds/services/{service['id']}")
    validate("/services/{id}", full)
    assert full["id"] == service["id"]
    assert full["attributes"]

    org = get(public, f"/hsds/organizations/{full['organization']['id']}")
    validate("/organizations/{id}", org)
    assert service["id"] in {s["id"] for s in org["services"]}
    for offered in org["services"]:
        validate_object("service.json", offered)

    term = get(public, "/hsds/taxonomy_terms?per_page=1")["contents"][0]
    validate("/taxonomy_terms/{id}", get(public, f"/hsds/taxonomy_terms/{term['id']}"))
    taxonomy = get(public, "/hsds/taxonomies?per_page=1")["contents"][0]
    validate("/taxonomies/{id}", get(public, f"/hsds/taxonomies/{taxonomy['id']}"))


def test_service_at_location_validates_as_the_official_example_does(public: TestClient) -> None:
    # The description's $ref for /service_at_locations/{id} names compiled/service.json, which
    # the official example service_at_location_full.json does not satisfy either (no name,
    # no status): the answer follows the example, i.e. service_at_location.json.
    example = json.loads((HSDS / "examples" / "service_at_location_full.json").read_text("utf-8"))
    with pytest.raises(Exception, match="required"):
        validate("/service_at_locations/{id}", example)
    validate_object("service_at_location.json", example)

    listed = get(public, "/hsds/service_at_locations?per_page=1")["contents"][0]
    found = get(public, f"/hsds/service_at_locations/{listed['id']}")
    validate_object("service_at_location.json", found)
    validate_object("service.json", found["service"])
    assert found["location"]["id"] == listed["location"]["id"]
    assert found["service"]["id"] == found["service_id"]


# One mapping: the API gives what the file export writes


def test_service_is_the_exported_record(demo: Graph, public: TestClient) -> None:
    exported = {r["id"]: r for r in service_records(read_bundle(demo))}
    listed = get(public, "/hsds/services?per_page=3")["contents"]
    for item in listed:
        assert get(public, f"/hsds/services/{item['id']}") == exported[item["id"]]
        # The list shows the same record's one-to-one fields.
        assert item == one_to_one(exported[item["id"]])
    full = get(public, "/hsds/services?per_page=3&full=true")["contents"]
    assert full == [exported[item["id"]] for item in listed]


# Paging


def test_paging_totals_add_up(demo: Graph, public: TestClient) -> None:
    first = get(public, "/hsds/services?per_page=7")
    total = first["total_items"]
    assert total == get(public, "/hsds/services?per_page=100")["total_items"]
    assert first["total_pages"] == -(-total // 7)
    assert (first["page_number"], first["size"], first["first_page"]) == (1, 7, True)
    seen: list[str] = []
    for page in range(1, first["total_pages"] + 1):
        answer = get(public, f"/hsds/services?per_page=7&page={page}")
        validate("/services", answer)
        assert answer["last_page"] == (page == first["total_pages"])
        seen += [s["id"] for s in answer["contents"]]
    assert len(seen) == len(set(seen)) == total
    beyond = get(public, f"/hsds/services?per_page=7&page={first['total_pages'] + 1}")
    assert beyond["empty"]
    assert beyond["size"] == 0
    assert beyond["total_items"] == total


def test_paging_walks_past_the_largest_schema_page(public: TestClient) -> None:
    total = get(public, "/hsds/services?per_page=1")["total_items"]
    assert total > 100, "die kleine Demo hat mehr als eine Schema-Seite"
    everything = [
        s["id"]
        for page in range(1, -(-total // 100) + 1)
        for s in get(public, f"/hsds/services?per_page=100&page={page}")["contents"]
    ]
    assert get(public, "/hsds/services?per_page=1&page=101")["contents"][0]["id"] == everything[100]


def test_service_at_locations_count_every_pair(demo: Graph, public: TestClient) -> None:
    total = get(public, "/hsds/services?per_page=1")["total_items"]
    listed = [
        s["id"]
        for page in range(1, -(-total // 100) + 1)
        for s in get(public, f"/hsds/services?per_page=100&page={page}")["contents"]
    ]
    locations = {s.id: s.location_ids for s in read_bundle(demo).services}
    pairs = [f"{sid}--{loc}" for sid in listed for loc in locations[sid]]
    seen = [
        sal["id"]
        for page in range(1, -(-len(pairs) // 100) + 1)
        for sal in get(public, f"/hsds/service_at_locations?per_page=100&page={page}")["contents"]
    ]
    assert seen == pairs
    assert get(public, "/hsds/service_at_locations?per_page=1")["total_items"] == len(pairs)


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=x", "per_page=0", "per_page=101", "per_page=", "format=ndjson", "full=ja"],
)
def test_bad_paging_is_400_in_german(public: TestClient, query: str) -> None:
    answer = public.get(f"/hsds/services?{query}")
    assert answer.status_code == 400
    assert answer.json()["code"] == "BAD_REQUEST"
    assert "muss" in answer.json()["message"] or "nicht unterstützt" in answer.json()["message"]


def test_unsupported_parameter_is_named(public: TestClient) -> None:
    answer = public.get("/hsds/services?modified_after=2026-01-01")
    assert answer.status_code == 400
    assert "modified_after" in answer.json()["message"]


@pytest.mark.parametrize(
    "url",
    [
        "/hsds/services/gibt-es-nicht",
        "/hsds/organizations/gibt-es-nicht",
        "/hsds/service_at_locations/gibt--es-nicht",
        "/hsds/taxonomies/gibt-es-nicht",
        "/hsds/taxonomy_terms/gibt-es-nicht",
    ],
)
def test_unknown_id_is_404_in_german(public: TestClient, url: str) -> None:
    answer = public.get(url)
    assert answer.status_code == 404
    assert answer.json()["code"] == "NOT_FOUND"
    assert "Kennung" in answer.json()["message"]


# Filters


def test_filters_narrow_like_the_data(demo: Graph, public: TestClient) -> None:
    bundle = read_bundle(demo)
    service = next(s for s in bundle.services if s.category_ids and s.target_groups)
    org = service.organization_id
    by_org = get(public, f"/hsds/services?organization_id={org}&per_page=100")["contents"]
    assert {s["id"] for s in by_org} >= {service.id}
    assert all(s["organization"]["id"] == org for s in by_org)

    category = service.category_ids[0]
    by_term = get(public, f"/hsds/services?taxonomy_term_id={category}&per_page=100")
    assert service.id in {s["id"] for s in by_term["contents"]}
    total = get(public, "/hsds/services?per_page=1")["total_items"]
    assert by_term["total_items"] < total

    group = service.target_groups[0]
    by_group = get(public, f"/hsds/services?taxonomy_term_id=zielgruppe-{group}&full=true")
    assert all(
        any(a["taxonomy_term_id"] == f"zielgruppe-{group}" for a in s["attributes"])
        for s in by_group["contents"]
    )
    word = service.name.split()[0]
    searched = get(public, f"/hsds/services?search={word}&per_page=100")["contents"]
    assert searched
    assert all(
        word.casefold() in s["name"].casefold() + s["description"].casefold() for s in searched
    )


def test_taxonomy_terms_filter(public: TestClient) -> None:
    cats = get(public, "/hsds/taxonomy_terms?taxonomy_id=verbund-leistungsbereich&per_page=100")
    assert cats["contents"]
    assert all(t["taxonomy"] == "verbund-leistungsbereich" for t in cats["contents"])
    child = next((t for t in cats["contents"] if "parent_id" in t), None)
    if child is not None:
        below = get(public, f"/hsds/taxonomy_terms?parent_id={child['parent_id']}&per_page=100")
        assert child["id"] in {t["id"] for t in below["contents"]}
    tops = get(public, "/hsds/taxonomy_terms?top_only=true&per_page=100")["contents"]
    assert tops
    assert all("parent_id" not in t for t in tops)


# Never household data

HOUSEHOLD_WORDS = ("household", "haushalt", "need", "bedarf", "consent", "einwilligung", "referral")


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def test_no_household_field_ever(demo: Graph, public: TestClient) -> None:
    pseudonyms = {h.id for h in read_bundle(demo).households}
    assert pseudonyms
    urls = [
        "/hsds/services?full=true&per_page=100",
        "/hsds/organizations?full_service=true&per_page=20",
        "/hsds/service_at_locations?full=true&per_page=100",
        "/hsds/taxonomy_terms?per_page=100",
    ]
    for url in urls:
        answer = get(public, url)
        keys = {k.casefold() for k in _keys(answer)}
        assert not [k for k in keys for w in HOUSEHOLD_WORDS if w in k], url
        text = json.dumps(answer)
        assert not [p for p in pseudonyms if p in text], url


# Who may read


def test_off_is_404(demo: Graph) -> None:
    with TestClient(app_with(demo, "off")) as client:
        assert client.get("/hsds/services").status_code == 404
        assert client.get("/hsds/").status_code == 404


def test_token_needs_credentials(demo: Graph, auth_headers: Callable[..., dict[str, str]]) -> None:
    with TestClient(app_with(demo, "token")) as client:
        refused = client.get("/hsds/services")
        assert refused.status_code == 401
        assert refused.json()["code"] == "UNAUTHENTICATED"
        assert "Anmeldung" in refused.json()["message"]
        bad = client.get("/hsds/services", headers={"Authorization": "Bearer vbd_falsch"})
        assert bad.status_code == 401
        answer = client.get("/hsds/services", headers=auth_headers("planner"))
        assert answer.status_code == 200
        validate("/services", answer.json())


def test_public_needs_nothing(public: TestClient) -> None:
    assert public.get("/hsds/services").status_code == 200
    assert public.get("/hsds/taxonomies").status_code == 200


def test_the_default_is_token() -> None:
    assert Settings().hsds_api == "token"


def test_the_schemas_are_the_official_ones() -> None:
    # A check of the check: the official list example validates, a broken one does not.
    example = json.loads((HSDS / "examples" / "service_list.json").read_text("utf-8"))
    validate("/services", example)
    example["contents"][0]["status"] = "offen"
    with pytest.raises(Exception, match="offen"):
        validate("/services", example)


def test_taxonomy_filters_on_services(public: TestClient) -> None:
    total = get(public, "/hsds/services?per_page=1")["total_items"]
    with_category = get(public, "/hsds/services?taxonomy_id=verbund-leistungsbereich&full=true")
    assert 0 < with_category["total_items"] <= total
    assert all(
        any(a["taxonomy_term"]["taxonomy"] == "verbund-leistungsbereich" for a in s["attributes"])
        for s in with_category["contents"]
    )
    refused = public.get("/hsds/services?taxonomy_id=gibt-es-nicht")
    assert refused.status_code == 400
    assert "verbund-leistungsbereich" in refused.json()["message"]
    value_term = public.get("/hsds/services?taxonomy_term_id=rechtsgrundlage")
    assert value_term.status_code == 400


def test_every_role_reads_the_same_directory(
    demo: Graph, public: TestClient, auth_headers: Callable[..., dict[str, str]]
) -> None:
    org = read_bundle(demo).organizations[0].id
    url = "/hsds/services?full=true&per_page=30"
    with TestClient(app_with(demo, "token")) as client:
        as_caseworker = client.get(url, headers=auth_headers("caseworker", org))
        as_admin = client.get(url, headers=auth_headers("admin"))
    assert as_caseworker.json() == as_admin.json() == get(public, url)
