"""The planner's findings as rows: one GraphQL document and one row builder per kind.

Everything a row holds comes from the planner's GraphQL answer, so small counts are already
hidden (null) by the policy; a hidden count is written "unter 5" (``SUPPRESSED``) wherever
it appears: page, CSV and XLSX alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from api.web import german
from graph.disclosure import MIN_COUNT

SUPPRESSED = f"unter {MIN_COUNT}"
HIDDEN_RATE = "nicht ausgewiesen"
SEVERITY_RANK = {"hoch": 0, "mittel": 1, "niedrig": 2, "": 3}

# people: a count of households or referrals (null = suppressed); number: a plain number;
# share: a rate 0..1 (null = hidden with its counts); hours.
FigureKind = Literal["people", "number", "share", "ratio", "hours", "utilization"]


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    kind: FigureKind


@dataclass(frozen=True, slots=True)
class Row:
    severity: str
    explanation: str
    area_ids: tuple[str, ...]
    areas: str
    category_id: str
    category: str
    organizations: str
    figures: dict[str, float | int | None]
    scope: str = ""  # the Gebiet's name (shown when the graph holds several)


def figure_text(value: float | int | None, kind: FigureKind) -> str:
    """A figure as the page and the files write it (German numbers)."""
    if value is None:
        if kind == "utilization":
            # Occupancy not reported or too old: unknown, not hidden and never 0 %.
            return "unbekannt"
        return SUPPRESSED if kind == "people" else HIDDEN_RATE
    if kind in ("share", "utilization"):
        return f"{german.zahl(round(value * 100, 1))} %"
    if kind == "ratio":
        return f"{float(value):.2f}".replace(".", ",")
    if kind == "hours":
        return duration_text(float(value))
    return german.zahl(value)


def duration_text(hours: float) -> str:
    """A response time as a planner reads it: hours up to two days, days beyond ("7,8 Tage",
    not "186,7 Stunden"; the Träger's answer is due within days)."""
    if hours < 48:
        shown = round(hours, 1)
        return "1 Stunde" if shown == 1 else f"{german.zahl(shown)} Stunden"
    return f"{german.zahl(round(hours / 24, 1))} Tage"


@dataclass(frozen=True, slots=True)
class Kind:
    """One findings page: its path, wording, GraphQL document and how rows are made."""

    slug: str
    title: str
    intro: str
    document: str
    rows: Callable[[dict[str, Any]], list[Row]]
    columns: tuple[Column, ...]
    by_category: bool = True  # the API filters this kind by Leistungsbereich
    graded: bool = True  # findings with a severity (hoch, mittel, niedrig)
    default_order: str = "dringlichkeit"
    empty: str = "Keine Befunde für diese Auswahl."
    # False: the words only repeat the row's columns (the findings page leaves them out to fit
    # the page; the downloads and the printable report keep them).
    explained: bool = True


def _names(refs: Sequence[dict[str, Any]]) -> str:
    return ", ".join(r["name"] for r in refs)


def _scope(finding: dict[str, Any]) -> str:
    return str(finding["scope"]["name"]) if finding.get("scope") else ""


def _ids(refs: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(r["id"] for r in refs)


def _gaps(data: dict[str, Any]) -> list[Row]:
    return [
        Row(
            severity=g["severity"],
            explanation=g["explanation"],
            area_ids=(g["area"]["id"],),
            areas=g["area"]["name"],
            category_id=g["category"]["id"],
            category=g["category"]["name"],
            organizations="",
            figures={
                "haushalte": g["householdsInNeed"],
                "plaetze": g["ratio"],
                "angebote": g["reachableServices"],
            },
            scope=_scope(g),
        )
        for g in data["coverageGaps"]
    ]


def _structures(data: dict[str, Any]) -> list[Row]:
    return [
        Row(
            severity=f["severity"],
            explanation=f["explanation"],
            area_ids=_ids(f["areas"]),
            areas=_names(f["areas"]),
            category_id=f["category"]["id"],
            category=f["category"]["name"],
            organizations=_names(f["organizations"]),
            figures={
                "angebote": len(f["services"]),
                "plaetze_gesamt": f["capacity"],
                "auslastung": f["utilization"],
                "haushalte": f["householdsInNeed"],
            },
            scope=_scope(f),
        )
        for f in data["duplicateStructures"]
    ]


def _double(data: dict[str, Any]) -> list[Row]:
    return [
        Row(
            severity=f["severity"],
            explanation=f["explanation"],
            area_ids=_ids(f["areas"]),
            areas=_names(f["areas"]),
            category_id=f["category"]["id"],
            category=f["category"]["name"],
            organizations=_names(f["organizations"]),
            figures={
                "haushalte": f["households"],
                "unabgestimmt": f["uncoordinatedHouseholds"],
            },
            scope=_scope(f),
        )
        for f in data["doubleSupport"]
    ]


def _weak(data: dict[str, Any]) -> list[Row]:
    return [
        Row(
            severity=f["severity"],
            explanation=f["explanation"],
            area_ids=_ids(f["areas"]),
            areas=_names(f["areas"]),
            category_id="",
            category="",
            organizations=_names(f["organizations"]),
            figures={"traeger": len(f["organizations"])},
            scope=_scope(f),
        )
        for f in data["networkWeakSpots"]["findings"]
    ]


def _pathway_text(r: dict[str, Any]) -> str:
    where = f" in {r['area']['name']}" if r["area"] else " in der ganzen Stadt"
    count = r["referrals"]
    head = (
        f"{german.zahl(count)} Überleitungen zu {r['category']['name']}{where}"
        if count is not None
        else f"Überleitungen zu {r['category']['name']}{where} (Anzahl {SUPPRESSED})"
    )
    parts = []
    if r["declineRate"] is not None:
        parts.append(f"{figure_text(r['declineRate'], 'share')} abgelehnt")
    if r["dropoffRate"] is not None:
        parts.append(f"{figure_text(r['dropoffRate'], 'share')} der angenommenen abgebrochen")
    if r["medianResponseHours"] is not None:
        parts.append(f"Antwortzeit im Median {figure_text(r['medianResponseHours'], 'hours')}")
    if not parts:
        return head + "; Quoten und Antwortzeiten nicht ausgewiesen (Fallzahlenschutz)."
    return head + ": " + ", ".join(parts) + "."


def _pathways(data: dict[str, Any]) -> list[Row]:
    return [
        Row(
            severity="",
            explanation=_pathway_text(r),
            area_ids=(r["area"]["id"],) if r["area"] else (),
            areas=r["area"]["name"] if r["area"] else "Ganze Stadt",
            category_id=r["category"]["id"],
            category=r["category"]["name"],
            organizations="",
            figures={
                "ueberleitungen": r["referrals"],
                "abgelehnt": r["declineRate"],
                "abgebrochen": r["dropoffRate"],
                "antwort": r["medianResponseHours"],
            },
            scope=_scope(r),
        )
        for r in data["referralPathways"]["rates"]
    ]


_REF = "{ id name }"

KINDS: dict[str, Kind] = {
    k.slug: k
    for k in (
        Kind(
            slug="luecken",
            title="Versorgungslücken",
            intro="Sozialräume, in denen Haushalte mit Bedarf kein erreichbares Angebot haben "
            "(hoch) oder zu wenige Plätze je Haushalt (mittel). Erreichbar heißt: im "
            "Sozialraum oder einem Nachbarraum.",
            document=f"""query Gaps($area: String, $category: String, $scope: String) {{
  coverageGaps(area: $area, category: $category, scope: $scope) {{
    severity explanation householdsInNeed ratio reachableServices
    area {_REF} category {_REF} scope {_REF}
  }}
}}""",
            rows=_gaps,
            columns=(
                Column("haushalte", "Haushalte mit Bedarf", "people"),
                Column("plaetze", "Plätze je Haushalt", "ratio"),
                Column("angebote", "Erreichbare Angebote", "number"),
            ),
            empty="Keine Versorgungslücken für diese Auswahl.",
        ),
        Kind(
            slug="doppelstrukturen",
            title="Doppelstrukturen",
            intro="Angebote mehrerer Träger im selben Leistungsbereich, für dieselbe "
            "Zielgruppe und dieselben Sozialräume, bei geringer Auslastung: hier lohnt "
            "Abstimmung.",
            document=f"""query Structures($area: String, $category: String, $scope: String) {{
  duplicateStructures(area: $area, category: $category, scope: $scope) {{
    severity explanation capacity utilization householdsInNeed
    category {_REF} areas {_REF} organizations {_REF} services {{ id }} scope {_REF}
  }}
}}""",
            rows=_structures,
            columns=(
                Column("angebote", "Angebote", "number"),
                Column("plaetze_gesamt", "Plätze", "number"),
                Column("auslastung", "Auslastung", "utilization"),
                Column("haushalte", "Haushalte mit Bedarf", "people"),
            ),
            empty="Keine Doppelstrukturen für diese Auswahl.",
        ),
        Kind(
            slug="doppelbetreuung",
            title="Doppelbetreuung",
            intro="Haushalte, die im selben Leistungsbereich parallel von zwei Trägern "
            "betreut werden, zusammengefasst je Trägerpaar; ohne Abstimmung heißt: die "
            "Träger haben keine Kooperationsvereinbarung.",
            document=f"""query Double($area: String, $category: String, $scope: String) {{
  doubleSupport(area: $area, category: $category, scope: $scope) {{
    severity explanation households uncoordinatedHouseholds
    category {_REF} organizations {_REF} areas {_REF} scope {_REF}
  }}
}}""",
            rows=_double,
            columns=(
                Column("haushalte", "Haushalte", "people"),
                Column("unabgestimmt", "davon ohne Abstimmung", "people"),
            ),
            empty="Keine Doppelbetreuung für diese Auswahl.",
        ),
        Kind(
            slug="schwachstellen",
            title="Schwachstellen im Netz",
            intro="Stellen im Kooperationsnetz der Träger, an denen Überleitungen hängen: "
            "isolierte Träger, Teilnetze ohne Verbindung, Träger und Vereinbarungen, ohne "
            "die das Netz zerfällt.",
            document=f"""query Weak($area: String, $scope: String) {{
  networkWeakSpots(area: $area, scope: $scope) {{
    findings {{ spot severity explanation organizations {_REF} areas {_REF} scope {_REF} }}
  }}
}}""",
            rows=_weak,
            columns=(Column("traeger", "Beteiligte Träger", "number"),),
            by_category=False,
            empty="Keine Schwachstellen für diese Auswahl.",
        ),
        Kind(
            slug="ueberleitungswege",
            title="Überleitungswege",
            intro="Wie Überleitungen je Leistungsbereich und Sozialraum ausgehen: wie viele "
            "abgelehnt oder abgebrochen werden und wie schnell Träger antworten. Zeilen mit "
            "weniger als 5 Überleitungen sind nicht ausgewiesen.",
            document=f"""query Pathways($area: String, $category: String, $scope: String) {{
  referralPathways(area: $area, category: $category, scope: $scope) {{
    rates {{
      referrals declineRate dropoffRate medianResponseHours
      category {_REF} area {_REF} scope {_REF}
    }}
  }}
}}""",
            rows=_pathways,
            graded=False,
            explained=False,
            default_order="ueberleitungen",
            columns=(
                Column("ueberleitungen", "Überleitungen", "people"),
                Column("abgelehnt", "abgelehnt", "share"),
                Column("abgebrochen", "abgebrochen", "share"),
                Column("antwort", "Antwort (Median)", "hours"),
            ),
            empty="Keine ausgewiesenen Überleitungswege für diese Auswahl.",
        ),
    )
}


def sort_keys(kind: Kind) -> list[tuple[str, str]]:
    """(value, label) of the orders a findings page offers."""
    keys = [("dringlichkeit", "Dringlichkeit")] if kind.graded else []
    keys.append(("sozialraum", "Sozialraum"))
    if kind.by_category:
        keys.append(("leistungsbereich", "Leistungsbereich"))
    keys.extend((c.key, f"{c.label} (absteigend)") for c in kind.columns)
    return keys


def sorted_rows(rows: list[Row], kind: Kind, key: str) -> list[Row]:
    """The rows in the chosen order; hidden figures last, ties in the API's order."""
    if key == "sozialraum":
        return sorted(rows, key=lambda r: r.areas.casefold())
    if key == "leistungsbereich":
        return sorted(rows, key=lambda r: r.category.casefold())
    column = next((c for c in kind.columns if c.key == key), None)
    if column is not None:
        return sorted(
            rows,
            key=lambda r: (r.figures[key] is None, -float(r.figures[key] or 0)),
        )
    return sorted(rows, key=lambda r: SEVERITY_RANK.get(r.severity, 3))
