"""Träger names of a report: built once per snapshot, right again for a report copied with
another snapshot, and the dict handed out is the caller's own."""

from __future__ import annotations

from dataclasses import replace

from graph.analysis import run_analyses
from graph.analysis.snapshot import AreaInfo, OrganizationInfo, Snapshot


def _snapshot(*names: str) -> Snapshot:
    return Snapshot(
        areas=(AreaInfo(id="stadt", name="Stadt", level="city"),),
        organizations=tuple(
            OrganizationInfo(id=f"o{i}", name=name) for i, name in enumerate(names)
        ),
    )


def test_names_follow_the_report_snapshot() -> None:
    report = run_analyses(_snapshot("Caritas", "Diakonie"))
    assert report.organization_name("o1") == "Diakonie"
    assert report.organization_name("unbekannt") == "unbekannt"
    renamed = replace(report, snapshot=_snapshot("AWO", "Paritätischer"))
    assert renamed.organization_name("o1") == "Paritätischer"
    assert renamed.organization_names == {"o0": "AWO", "o1": "Paritätischer"}
    assert report.organization_name("o1") == "Diakonie"


def test_organization_names_is_a_copy() -> None:
    report = run_analyses(_snapshot("Caritas"))
    names = report.organization_names
    names["o0"] = "geändert"
    assert report.organization_name("o0") == "Caritas"
