"""``verbund analyse``: run every analysis and print, save or render the findings."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import click

from api.cli._common import open_graph, user_errors
from api.report import duration_text, percent_text, render_report
from api.report_data import report_dict
from api.settings import get_settings
from api.web.german import plural
from graph.analysis import DEFAULT_CONFIG
from graph.analysis import analyse as run_all
from graph.analysis.findings import SEVERITY_ORDER
from graph.analysis.planner_view import PlannerView, planner_view


@click.command()
@click.option(
    "--scope",
    help="Nur dieses Gebiet (id des obersten Sozialraums, z. B. stuttgart). HTML: ohne "
    "Angabe das erste Gebiet.",
)
@click.option("--area", help="Nur Befunde für diesen Sozialraum (id, z. B. stuttgart-mitte).")
@click.option("--category", help="Nur dieser Leistungsbereich (id, z. B. schuldnerberatung).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "html"]),
    default="table",
    show_default=True,
    help="Ausgabeformat.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="In diese Datei schreiben statt auf die Standardausgabe.",
)
@click.option(
    "--level",
    default=DEFAULT_CONFIG.coverage.level,
    show_default=True,
    help="Ebene der Versorgungsanalyse (district, subdistrict, planning).",
)
@click.option(
    "--indicator",
    default=DEFAULT_CONFIG.coverage.estimate_indicator,
    show_default=True,
    help="Gebietsindikator (Prozent) für den geschätzten Bedarf, wenn Haushaltsdaten fehlen.",
)
@click.option(
    "--rate",
    type=float,
    default=DEFAULT_CONFIG.coverage.estimate_rate,
    show_default=True,
    help="Faktor auf Einwohner x Indikator beim geschätzten Bedarf.",
)
@click.option(
    "--min-ratio",
    type=float,
    default=DEFAULT_CONFIG.coverage.min_ratio,
    show_default=True,
    help="Versorgungslücke unter so vielen erreichbaren Plätzen je Haushalt.",
)
def analyse(
    scope: str | None,
    area: str | None,
    category: str | None,
    fmt: str,
    output: Path | None,
    level: str,
    indicator: str,
    rate: float,
    min_ratio: float,
) -> None:
    """Versorgungslücken, Doppelstrukturen, Doppelbetreuung und Schwachstellen im Netz."""
    coverage = replace(
        DEFAULT_CONFIG.coverage,
        level=level,
        estimate_indicator=indicator,
        estimate_rate=rate,
        min_ratio=min_ratio,
    )
    config = replace(
        DEFAULT_CONFIG,
        coverage=coverage,
        capacity_max_age_days=get_settings().capacity_max_age_days,
    )
    with open_graph() as graph, user_errors():
        full = run_all(graph, config)
        if fmt == "html" and scope is None and area is None and full.scopes:
            # One report draws one Gebiet's areas: the first unless another is chosen.
            scope = full.scopes[0].id
        # Suppression is decided on each whole Gebiet, then filtered (as in GraphQL).
        view = planner_view(full, area=area, category=category, scope=scope)
    if fmt == "json":
        text = json.dumps(report_dict(view), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "html":
        several = len(full.scopes) > 1
        where = view.report.area_name(area) if area else ""
        where = where or (view.report.scope_name(scope) if several else "")
        title = "verbund – Analysebericht" + (f" für {where}" if where else "")
        text = render_report(view, title=title, gap_threshold=min_ratio)
        others = [s for s in full.scopes if s.id != view.report.scope_id]
        if others:
            click.echo(
                "Weitere Gebiete (mit --scope wählen): "
                + ", ".join(f"{s.id} ({s.name})" for s in others),
                err=True,
            )
    else:
        text = _table(view)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Bericht geschrieben: {output}", err=True)


def _table(view: PlannerView) -> str:
    findings = sorted(
        view.findings(), key=lambda s: (s.finding.kind, SEVERITY_ORDER[s.finding.severity])
    )
    titles = {
        "coverage_gap": "Versorgungslücken",
        "duplicate_structure": "Doppelstrukturen",
        "duplicate_record": "Doppelt erfasste Träger",
        "duplicate_service": "Doppelt erfasste Angebote",
        "double_support": "Doppelbetreuung",
        "missing_cooperation": "Fehlende Kooperation",
        "weak_spot": "Schwachstellen im Kooperationsnetz",
    }
    report = view.report
    several = report.scope_id is None and len(report.scopes) > 1

    def where(scope_id: str | None) -> str:
        return f"{report.scope_name(scope_id)}: " if several and scope_id else ""

    lines: list[str] = []
    for kind, title in titles.items():
        these = [s for s in findings if s.finding.kind == kind]
        lines.append(f"{title} ({len(these)})")
        lines.extend(
            f"  [{s.finding.severity:<7}] {where(s.finding.scope_id)}{s.explanation}" for s in these
        )
        lines.append("")
    lines.extend(_pathways(view, where))
    if several and report.estimated_scope_ids:
        lines.append(
            "Hinweis: keine Haushaltsdaten in "
            + ", ".join(report.scope_name(s) for s in report.estimated_scope_ids)
            + ", Bedarf dort aus Gebietsindikatoren geschätzt."
        )
    elif report.demand_estimated:
        lines.append("Hinweis: keine Haushaltsdaten, Bedarf aus Gebietsindikatoren geschätzt.")
    return "\n".join(lines) + "\n"


def _pathways(view: PlannerView, where: Callable[[str | None], str]) -> list[str]:
    """The referral pathways, city-wide rows only (as in the HTML report)."""
    name = view.report.category_name
    paths = view.pathways
    lines = [
        f"Überleitungswege ({plural(len(paths.sequences), 'häufige Abfolge', 'häufige Abfolgen')})"
    ]
    lines.extend(
        f"  {where(s.scope_id)}{' → '.join(name(c) for c in s.category_ids)}: "
        f"{s.households} Haushalte"
        for s in paths.sequences
    )
    lines.extend(
        f"  {where(r.scope_id)}{name(r.category_id)}: {r.referrals} Überleitungen, "
        "Ablehnungsquote "
        f"{percent_text(r.decline_rate)}, Abbruchquote {percent_text(r.dropoff_rate)}, "
        f"Antwortzeit (Median) {duration_text(r.median_response_hours)}"
        for r in paths.rates
        if r.area_id is None
    )
    lines.append("")
    return lines
