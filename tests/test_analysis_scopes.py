"""Several Gebiete in one graph: each is analysed as if it were loaded alone.

The differential test loads the demo city, Berlin (the LOR import from the team's shared open
data, no household data: demand estimated) and a generated Landkreis with its Kommunen, first
each alone, then all three together, and compares the planner's findings JSON per Gebiet.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from api.report_data import report_dict
from graph import Graph
from graph.admin import clear
from graph.analysis import DEFAULT_CONFIG, AnalysisReport, UnknownScope, analyse
from graph.analysis.planner_view import AreaOutsideScope, planner_view
from graph.write import write_bundle
from loaders.demo import generate
from loaders.demo.county import ROOT as COUNTY
from loaders.demo.county import county_bundle
from tests.loader_helpers import ROOT, import_path, shared_data

BERLIN = shared_data() / "berlin"
MAPPING = ROOT / "examples" / "berlin" / "mapping.yaml"
# Berlin has no "sgb2_quote": its demand is estimated from child poverty (docs/analyses.md).
CONFIG = replace(
    DEFAULT_CONFIG,
    coverage=replace(DEFAULT_CONFIG.coverage, estimate_indicator="kinderarmut", estimate_rate=0.14),
)


def _normal(value: Any) -> Any:
    """Order-free and rounded: two runs may read the same records in another order."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list | tuple):
        items = [_normal(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    if isinstance(value, float):
        return round(value, 9)
    return value


def _findings(report: AnalysisReport, scope: str | None = None) -> Any:
    return _normal(report_dict(planner_view(report, scope=scope)))


def _load(db: Graph, which: str) -> None:
    if which == "stuttgart":
        write_bundle(db, generate("small").bundle)
    elif which == "berlin":
        import_path(db, BERLIN, source="berlin-lor", mapping=MAPPING)
    else:
        write_bundle(db, county_bundle())


@pytest.mark.slow
@pytest.mark.skipif(not BERLIN.is_dir(), reason=f"shared open data not found at {BERLIN}")
def test_each_gebiet_alone_equals_it_among_others(db: Graph) -> None:
    alone: dict[str, Any] = {}
    for which in (COUNTY, "stuttgart"):
        clear(db)
        _load(db, which)
        report = analyse(db, CONFIG)
        assert [s.id for s in report.scopes] == [which]
        alone[which] = _findings(report)
    # The city is still loaded: Berlin and the Landkreis join it.
    _load(db, "berlin")
    _load(db, COUNTY)
    together = analyse(db, CONFIG)
    clear(db)
    _load(db, "berlin")
    alone["berlin"] = _findings(analyse(db, CONFIG))

    assert [(s.id, s.name) for s in together.scopes] == [
        ("berlin", "Berlin"),
        (COUNTY, "Landkreis Lindenau"),
        ("stuttgart", "Stuttgart"),
    ]
    for scope, expected in alone.items():
        assert _findings(together, scope) == expected, scope
    # Berlin without household data keeps its estimate next to cities with recorded needs.
    assert together.estimated_scope_ids == ("berlin",)
    berlin = together.part("berlin")
    assert berlin.demand_estimated
    assert berlin.gaps
    assert not together.part("stuttgart").demand_estimated
    assert not together.part(COUNTY).demand_estimated
    # Every finding names its Gebiet, and only areas of it.
    for finding in together.findings():
        part = together.part(finding.scope_id or "")
        assert all(a in part.index.by_id for a in finding.area_ids)
    # Without a filter: all Gebiete side by side, each finding once.
    combined = report_dict(planner_view(together))
    assert len(combined["findings"]) == sum(len(a["findings"]) for a in alone.values())
    assert {f["scope"]["id"] for f in combined["findings"]} == {"berlin", COUNTY, "stuttgart"}
    # The HTML report and the map draw the areas of one Gebiet: its units only.
    assert set(berlin.index.units) == {a.id for a in berlin.snapshot.areas if a.level == "district"}
    with pytest.raises(UnknownScope, match="Unbekanntes Gebiet: hamburg"):
        planner_view(together, scope="hamburg")
    with pytest.raises(AreaOutsideScope, match="liegt nicht im Gebiet Berlin"):
        planner_view(together, scope="berlin", area=f"{COUNTY}-aubach")
