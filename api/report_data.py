"""The analysis report as plain data for JSON: the planner view, aggregates only.

No household is named; which counts are shown is decided in ``graph.analysis.planner_view``,
the same view GraphQL answers from, so the JSON shows exactly the cells GraphQL shows.
"""

from __future__ import annotations

from typing import Any

from graph.analysis import AnalysisReport
from graph.analysis.findings import Finding
from graph.analysis.planner_view import PlannerView, Shown


def finding_dict(shown: Shown[Finding], view: PlannerView) -> dict[str, Any]:
    f = shown.finding
    report = view.report
    out: dict[str, Any] = {
        "kind": f.kind,
        "severity": f.severity,
        "explanation": shown.explanation,
        "category": f.category_id,
        "areas": [{"id": a, "name": report.area_name(a)} for a in f.area_ids],
        "organizations": [
            {"id": o, "name": report.organization_name(o)} for o in f.organization_ids
        ],
        "services": list(f.service_ids),
        "counts": dict(shown.counts),
        "scope": _scope(report, f.scope_id),
    }
    # Duplicate Träger: which of the three outcomes, and the evidence in words.
    outcome = getattr(f, "outcome", None)
    if outcome is not None:
        out["outcome"] = outcome
        out["evidence"] = list(getattr(f, "evidence", ()))
    spot = getattr(f, "spot", None)
    if spot is not None:
        out["spot"] = spot
    return out


def _scope(report: AnalysisReport, scope_id: str | None) -> dict[str, str] | None:
    return {"id": scope_id, "name": report.scope_name(scope_id)} if scope_id else None


def report_dict(view: PlannerView) -> dict[str, Any]:
    report = view.report
    net = report.network
    shown = [s for s in report.scopes if report.scope_id in (None, s.id)]
    return {
        "scopes": [
            {"id": s.id, "name": s.name, "demand_estimated": s.id in report.estimated_scope_ids}
            for s in shown
        ],
        "demand_estimated": report.demand_estimated,
        "findings": [finding_dict(s, view) for s in view.findings()],
        "coverage": [
            {
                "area": c.area_id,
                "category": c.category_id,
                "households_in_need": c.households_in_need,
                "ratio": c.ratio,
                "reachable_services": c.reachable_services,
            }
            for c in view.coverage
        ],
        "network": {
            "organizations": net.organizations,
            "links": net.links,
            "components": net.components,
            "isolated": list(net.isolated_ids),
            "articulation_points": dict(net.articulation_points),
            "bridges": [list(b) for b in net.bridges],
            "brokers": [
                {"organization": o, "betweenness": round(v, 4)}
                for o, v in sorted(net.betweenness.items(), key=lambda x: (-x[1], x[0]))[:10]
            ],
            "community_area_agreement": net.community_area_agreement,
            "communities": [
                {
                    "organizations": list(c.organization_ids),
                    "main_area": c.main_area_id,
                    "main_area_share": round(c.main_area_share, 3),
                }
                for c in net.communities
            ],
            "densities": [
                {
                    "area": d.area_id,
                    "organizations": d.organizations,
                    "links": d.links,
                    "density": round(d.density, 4),
                }
                for d in net.densities
            ],
        },
        "pathways": {
            "households": view.pathways.households,
            "sequences": [
                {
                    "categories": list(s.category_ids),
                    "households": s.households,
                    "scope": s.scope_id,
                }
                for s in view.pathways.sequences
            ],
            "rates": [
                {
                    "category": r.category_id,
                    "area": r.area_id,
                    "referrals": r.referrals,
                    "decline_rate": r.decline_rate,
                    "dropoff_rate": r.dropoff_rate,
                    "median_response_hours": r.median_response_hours,
                    "scope": r.scope_id,
                }
                for r in view.pathways.rates
            ],
        },
        "seconds": {k: round(v, 4) for k, v in report.seconds.items()},
    }
