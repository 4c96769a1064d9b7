"""The Träger linkage on the hand-labelled real set (bench/data/berlin_traeger.csv).

430 Träger names as Berlin's offices entered them for youth centres and care homes, each
labelled with its legal entity and group (bench/linkage_data.py, docs/analyses.md). The
targets of issue 17: merge suggestions with precision >= 0.9 at recall >= 0.75, and no merge
of two names that each keep a distinctive word.
"""

from __future__ import annotations

import csv
from itertools import combinations
from pathlib import Path

from graph.analysis.linkage.link import link
from graph.analysis.linkage.records import LinkRecord, link_record

DATA = Path(__file__).resolve().parent.parent / "bench" / "data" / "berlin_traeger.csv"


def labelled() -> tuple[list[LinkRecord], dict[str, str]]:
    records: list[LinkRecord] = []
    entity: dict[str, str] = {}
    with DATA.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            records.append(
                link_record(
                    row["id"],
                    row["name"],
                    website=row["website"] or None,
                    phone=row["phone"] or None,
                    addresses=[a for a in row["addresses"].split(" | ") if a],
                    areas=[a for a in row["areas"].split(" | ") if a],
                )
            )
            entity[row["id"]] = row["entity"]
    return records, entity


def test_merge_suggestions_on_real_names_meet_the_targets() -> None:
    records, entity = labelled()
    result = link(records)
    same = {frozenset((s.a, s.b)) for s in result.suggestions if s.outcome == "same"}
    true = {frozenset(p) for p in combinations(sorted(entity), 2) if entity[p[0]] == entity[p[1]]}
    hits = len(same & true)
    assert len(true) == 237
    assert hits / len(same) >= 0.9
    assert hits / len(true) >= 0.75
    # Each suggestion says in words what agrees.
    assert all(s.evidence for s in result.suggestions)


def test_sister_companies_of_one_group_are_related_not_merged() -> None:
    records, _ = labelled()
    names = {r.id: r.name for r in records}
    outcomes = {frozenset((names[s.a], names[s.b])): s.outcome for s in link(records).suggestions}
    domicil = frozenset(
        (
            "DOMICIL-Seniorenpflegeheim Müllerstraße GmbH",
            "DOMICIL-Seniorenpflegeheim Feuerbachstraße GmbH",
        )
    )
    curata = frozenset(
        ("CURATA Residenz Dahlem GmbH & Co. KG", "CURATA Sanatorium West GmbH & Co. KG")
    )
    assert outcomes.get(domicil) == "related"
    assert outcomes.get(curata) == "related"
    mitte = frozenset(("BA Mitte von Berlin", "Bezirksamt Mitte von Berlin Jugendamt"))
    assert outcomes.get(mitte) == "same"
