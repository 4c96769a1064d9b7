"""Trends with several Gebiete loaded: "the whole city" is one Gebiet (the first by default,
or the one chosen), never the sum of all; each Gebiet's series, hidden cells included, are the
same as when it is loaded alone."""

from __future__ import annotations

from graph import Graph, clock
from graph.admin import clear
from graph.analysis.trends import Trends, referral_trends
from graph.write import write_bundle
from loaders.demo import generate
from loaders.demo.county import ROOT as COUNTY
from loaders.demo.county import county_bundle
from schema.principal import Principal
from tests.apikit import execute
from tests.webclient import sign_in, web_client

TODAY = clock.today()
STUTTGART = "stuttgart"
PLANNER = Principal("t-planner", "planner", None, "token")
TRENDS = """
query($scope: String) {
  referralTrends(scope: $scope) {
    scope { id name } scopes { id name } area { id }
    series { category { id } referrals }
  }
}
"""


def _series(trends: Trends) -> dict[str, tuple[int | None, ...]]:
    """The series with a shown number (Leistungsbereiche are shared by all Gebiete: one
    without referrals in this Gebiet is a row of hidden zeros)."""
    return {s.category_id: s.referrals for s in trends.series if any(s.referrals)}


def _load(db: Graph, which: str) -> None:
    write_bundle(db, generate("small").bundle if which == STUTTGART else county_bundle())


def test_each_gebiet_counts_alone_and_the_default_is_the_first(db: Graph) -> None:
    alone = {}
    for which in (COUNTY, STUTTGART):
        clear(db)
        _load(db, which)
        trends = referral_trends(db, today=TODAY)
        assert trends.scope is not None
        assert trends.scope.id == which
        alone[which] = _series(trends)
    _load(db, COUNTY)  # Stuttgart is still loaded
    together = referral_trends(db, today=TODAY)
    assert [s.id for s in together.scopes] == [COUNTY, STUTTGART]  # by name: L before S
    assert together.scope is not None
    assert together.scope.id == COUNTY
    assert _series(together) == alone[COUNTY]
    assert _series(referral_trends(db, scope=STUTTGART, today=TODAY)) == alone[STUTTGART]
    # Not the sum: the city's shown numbers stay the city's alone.
    assert any(v is not None for series in alone[STUTTGART].values() for v in series)
    # A Sozialraum brings its own Gebiet.
    district = referral_trends(db, area="stuttgart-mitte", scope=COUNTY, today=TODAY)
    assert district.scope is not None
    assert district.scope.id == STUTTGART


def test_graphql_and_the_page_choose_a_gebiet(db: Graph) -> None:
    _load(db, STUTTGART)
    _load(db, COUNTY)
    result = execute(db, TRENDS, {"scope": STUTTGART}, principal=PLANNER)
    assert result.errors is None, result.errors
    data = result.data["referralTrends"]
    assert data["scope"]["id"] == STUTTGART
    assert [s["id"] for s in data["scopes"]] == [COUNTY, STUTTGART]
    unknown = execute(db, TRENDS, {"scope": "nirgendwo"}, principal=PLANNER)
    assert [e.extensions["code"] for e in unknown.errors] == ["UNKNOWN_SCOPE"]
    with web_client(db) as client:
        assert sign_in(client, "planung").status_code == 303
        page = client.get("/planung/trends")
        assert page.status_code == 200
        assert 'name="gebiet"' in page.text
        assert "Gebiet: ganzes Gebiet Landkreis Lindenau" in page.text
        chosen = client.get("/planung/trends", params={"gebiet": STUTTGART})
        assert "Gebiet: ganzes Gebiet Stuttgart" in chosen.text
        assert "gebiet=stuttgart" in chosen.text  # the downloads keep the choice
