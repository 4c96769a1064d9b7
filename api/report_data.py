"""The analysis report as plain data for JSON and tables: aggregates only, small counts hidden.

No household is named; every count of households between 1 and ``min_count - 1`` becomes None.
"""

from __future__ import annotations

from typing import Any

from graph.analysis import AnalysisReport
from graph.analysis.findings import Finding

# Keys in ``Finding.counts`` that count households (the others count services, places, ...).
PEOPLE_COUNTS = frozenset({"demand", "households", "uncoordinated_households", "shared_households"})


def people(value: float | None, min_count: int) -> float | None:
    if value is None:
        return None
    return None if 0 < value < min_count else value


def finding_dict(f: Finding, report: AnalysisReport, min_count: int) -> dict[str, Any]:
    counts = {k: (people(v, min_count) if k in PEOPLE_COUNTS else v) for k, v in f.counts.items()}
    out: dict[str, Any] = {
        "kind": f.kind,
        "severity": f.severity,
        "explanation": f.explanation,
        "category": f.category_id,
        "areas": [{"id": a, "name": report.area_name(a)} for a in f.area_ids],
        "organizations": [
            {"id": o, "name": report.organization_name(o)} for o in f.organization_ids
        ],
        "services": list(f.service_ids),
        "counts": counts,
    }
    spot = getattr(f, "spot", None)
    if spot is not None:
        out["spot"] = spot
    return out


def report_dict(report: AnalysisReport, min_count: int = 5) -> dict[str, Any]:
    net = report.network
    return {
        "demand_estimated": report.demand_estimated,
        "findings": [finding_dict(f, report, min_count) for f in report.findings()],
        "coverage": [
            {
                "area": c.area_id,
                "category": c.category_id,
                "households_in_need": people(c.demand, min_count),
                "ratio": c.ratio if people(c.demand, min_count) is not None else None,
                "reachable_services": len(c.reachable_service_ids),
            }
            for c in report.coverage
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
            "households": people(report.pathways.households, min_count),
            "sequences": [
                {"categories": list(s.category_ids), "households": s.households}
                for s in report.pathways.sequences
                if s.households >= min_count
            ],
            "rates": [
                {
                    "category": r.category_id,
                    "area": r.area_id,
                    "referrals": r.referrals,
                    "decline_rate": r.decline_rate if not 0 < r.declined < min_count else None,
                    "dropoff_rate": r.dropoff_rate if not 0 < r.dropped_out < min_count else None,
                    "median_response_hours": r.median_response_hours,
                }
                for r in report.pathways.rates
                if r.referrals >= min_count
            ],
        },
        "seconds": {k: round(v, 4) for k, v in report.seconds.items()},
    }
