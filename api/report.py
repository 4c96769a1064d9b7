"""The HTML analysis report for planners: maps, the cooperation network, findings in words.

One self-contained page (inline CSS and SVG, nothing downloaded). Aggregates only: it draws the
planner view (``graph.analysis.planner_view``), so it hides exactly the counts GraphQL hides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

from api.report_svg import area_shapes, coverage_map, legend_svg, network_picture
from graph.analysis import DEFAULT_CONFIG
from graph.analysis.coverage import AreaCoverage
from graph.analysis.findings import Finding
from graph.analysis.planner_view import CoverageCell, PlannerView, Shown
from graph.disclosure import MIN_COUNT

SEVERITY_LABEL = {"hoch": "hoch", "mittel": "mittel", "niedrig": "niedrig"}

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222;
       line-height: 1.4; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { margin-top: 2.2rem; border-bottom: 2px solid #ddd; padding-bottom: 0.2rem; }
.summary { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
.summary div { background: #f4f6f8; border-radius: 6px; padding: 0.6rem 1rem; min-width: 9rem; }
.summary b { display: block; font-size: 1.5rem; }
.maps { display: flex; flex-wrap: wrap; gap: 0.8rem; align-items: flex-start; }
figure.map { margin: 0; }
figure.map figcaption { font-size: 0.85rem; text-align: center; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 0.3rem 0.5rem; text-align: left;
         vertical-align: top; }
th { background: #f4f6f8; }
.sev { border-radius: 3px; padding: 0 0.4rem; font-size: 0.8rem; color: #fff; }
.sev-hoch { background: #b2182b; } .sev-mittel { background: #e08214; }
.sev-niedrig { background: #4d9221; }
.note { color: #555; font-size: 0.9rem; }
svg.network { border: 1px solid #eee; background: #fcfcfc; }
"""


def _sev(severity: str) -> str:
    return f'<span class="sev sev-{severity}">{SEVERITY_LABEL.get(severity, severity)}</span>'


def _findings_table(findings: Sequence[Shown[Finding]], empty: str) -> str:
    if not findings:
        return f'<p class="note">{escape(empty)}</p>'
    rows = "".join(
        f"<tr><td>{_sev(s.finding.severity)}</td><td>{escape(s.explanation)}</td></tr>"
        for s in findings
    )
    return f"<table><tr><th>Dringlichkeit</th><th>Befund</th></tr>{rows}</table>"


def _drawn(cell: CoverageCell) -> AreaCoverage:
    """A cell as the map draws it: a hidden demand is drawn as no demand (grey)."""
    return AreaCoverage(
        area_id=cell.area_id,
        category_id=cell.category_id,
        demand=float(cell.households_in_need or 0),
        ratio=cell.ratio,
        reachable_service_ids=(),
        estimated=cell.estimated,
    )


def render_report(
    view: PlannerView,
    *,
    title: str = "verbund – Analysebericht",
    gap_threshold: float = DEFAULT_CONFIG.coverage.min_ratio,
) -> str:
    """The whole report as one HTML document."""
    report = view.report
    min_count = MIN_COUNT
    index = report.index
    units = [index.by_id[u] for u in index.units]
    shapes = area_shapes(units, report.adjacency)
    names = {u.id: u.name for u in units}
    by_category: dict[str, list[AreaCoverage]] = defaultdict(list)
    for cell in view.coverage:
        by_category[cell.category_id].append(_drawn(cell))
    gap_areas: dict[str, list[str]] = defaultdict(list)
    for gap in view.gaps:
        gap_areas[gap.finding.category_id or ""].extend(gap.finding.area_ids)
    maps = "".join(
        coverage_map(
            shapes,
            rows,
            names,
            title=report.category_name(category),
            gaps=gap_areas.get(category, ()),
            min_count=min_count,
            # One or two maps (a report for one category) get the page's width.
            width=300 if len(by_category) > 2 else 640,
        )
        for category, rows in sorted(by_category.items())
    )
    net = report.network
    org_names = report.organization_names
    picture = network_picture(report.cooperation, net, org_names)
    estimated = (
        '<p class="note">Keine Haushaltsdaten: Bedarf geschätzt aus Gebietsindikatoren.</p>'
        if report.demand_estimated
        else ""
    )
    # Pairs of Träger, not households: a sum of households over the pairs could give away
    # the counts the findings hide.
    uncoordinated = sum(1 for s in view.double_support if s.finding.uncoordinated_households)
    summary = "".join(
        f"<div><b>{escape(str(v))}</b>{escape(k)}</div>"
        for k, v in (
            ("Versorgungslücken", len(view.gaps)),
            ("Doppelstrukturen", len(view.duplicate_structures)),
            ("doppelt erfasste Träger", len(view.duplicate_records)),
            ("doppelt erfasste Angebote", len(view.duplicate_services)),
            ("Trägerpaare mit unabgestimmter Doppelbetreuung", uncoordinated),
            ("fehlende Kooperationen", len(view.missing_cooperation)),
            ("Schwachstellen im Netz", len(view.weak_spots)),
        )
    )
    weak = [s for s in view.weak_spots if s.finding.spot != "broker"]
    brokers = [s for s in view.weak_spots if s.finding.spot == "broker"]
    densities = "".join(
        f"<tr><td>{escape(report.area_name(d.area_id))}</td><td>{d.organizations}</td>"
        f"<td>{d.links}</td><td>{d.density:.2f}</td></tr>"
        for d in net.densities
    )
    agreement = (
        f"{net.community_area_agreement:.2f}".replace(".", ",")
        if net.community_area_agreement is not None
        else "–"
    )
    sequences = "".join(
        f"<tr><td>{escape(' → '.join(report.category_name(c) for c in s.category_ids))}</td>"
        f"<td>{s.households}</td></tr>"
        for s in view.pathways.sequences
    )
    rates = "".join(
        f"<tr><td>{escape(report.category_name(r.category_id))}</td>"
        f"<td>{r.referrals}</td><td>{percent_text(r.decline_rate)}</td>"
        f"<td>{percent_text(r.dropoff_rate)}</td>"
        f"<td>{duration_text(r.median_response_hours)}</td></tr>"
        for r in view.pathways.rates
        if r.area_id is None
    )
    stamp = datetime.now(UTC).strftime("%d.%m.%Y %H:%M UTC")
    unit = "Person mit geschätztem Bedarf" if report.demand_estimated else "Haushalt"
    return f"""<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{_CSS}</style></head><body>
<h1>{escape(title)}</h1>
<p class="note">Stand {stamp}. Nur zusammengefasste Zahlen; Fallzahlen unter {min_count}
werden nicht ausgewiesen.</p>
<div class="summary">{summary}</div>

<h2>Versorgung je Sozialraum</h2>
<p>Erreichbare Plätze je Haushalt mit offenem Bedarf (Two-Step-Floating-Catchment: Angebote im
eigenen Gebiet zählen voll, in Nachbargebieten halb). Die Farben vergleichen jeden Sozialraum
mit dem Median der Sozialräume mit Bedarf auf derselben Karte (er steht unter der Karte): rot
heißt deutlich schlechter versorgt als üblich, blau deutlich besser. Schwarz umrandet ist eine
Versorgungslücke nach der festen Schwelle.</p>
{estimated}
{legend_svg(gap_threshold, unit)}
<div class="maps">{maps}</div>
{_findings_table(list(view.gaps), "Keine Versorgungslücken bei den Standardschwellen.")}

<h2>Doppelstrukturen</h2>
<p>Angebote verschiedener Träger im selben Leistungsbereich für dieselben Zielgruppen im
selben Gebiet, nach Koordinationsbedarf geordnet (freie Plätze, Angebot über Bedarf).</p>
{_findings_table(list(view.duplicate_structures), "Keine Doppelstrukturen gefunden.")}

<h2>Doppelbetreuung</h2>
{_findings_table(list(view.double_support), "Keine Doppelbetreuung gefunden.")}

<h2>Fehlende Kooperation</h2>
{_findings_table(list(view.missing_cooperation), "Keine Vorschläge.")}

<h2>Kooperationsnetz</h2>
<p>{net.organizations} Träger, {net.links} Verbindungen, {net.components} Teilnetze
(isolierte Träger mitgezählt). Übereinstimmung der Netz-Gemeinschaften mit den Sozialräumen
(NMI): {agreement}.</p>
{picture}
{_findings_table(weak, "Keine Schwachstellen gefunden.")}
<h3>Vermittler</h3>
{_findings_table(brokers, "Kein Träger mit herausgehobener Vermittlungsrolle.")}
<h3>Dichte je Sozialraum</h3>
<table><tr><th>Sozialraum</th><th>Träger</th><th>Verbindungen</th><th>Dichte</th></tr>
{densities}</table>

<h2>Doppelt erfasste Träger</h2>
{_findings_table(list(view.duplicate_records), "Keine Kandidaten.")}

<h2>Doppelt erfasste Angebote</h2>
<p>Zwei Datensätze eines Trägers (oder zweier Datensätze desselben Trägers), die vermutlich
ein Angebot sind: ähnlicher Name, gleicher Standort oder gleiche Adresse, gleiche Kontaktdaten,
Leistungsbereich und Sozialräume. Angebote verschiedener Träger sind nie Dubletten, höchstens
eine Doppelstruktur. Zusammenführen mit der Mutation <code>mergeServices</code>.</p>
{_findings_table(list(view.duplicate_services), "Keine Kandidaten.")}

<h2>Überleitungswege</h2>
<table><tr><th>Häufige Abfolge</th><th>Haushalte</th></tr>{sequences}</table>
<table><tr><th>Leistungsbereich</th><th>Überleitungen</th><th>Ablehnungsquote</th>
<th>Abbruchquote</th><th>Antwortzeit (Median)</th></tr>{rates}</table>
</body></html>
"""


def percent_text(rate: float | None) -> str:
    return "–" if rate is None else f"{100 * rate:.0f} %"


def duration_text(hours: float | None) -> str:
    if hours is None:
        return "–"
    if hours >= 48:
        return f"{hours / 24:.1f} Tage".replace(".", ",")
    return f"{hours:.0f} Std."
