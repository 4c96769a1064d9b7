"""Duplicate Träger on real and planted data: precision/recall per outcome, and scale.

    .venv/bin/python bench/linkage.py                    # real Berlin set + planted demo
    .venv/bin/python bench/linkage.py --scale 50000      # plus a generated directory

Real set: bench/data/berlin_traeger.csv (built and labelled by bench/linkage_data.py). A pair
is *same* when both records have one ``entity``, *related* when one ``group`` but two
entities. Recall counts every labelled pair, not only the candidates. Planted set: the demo
generator's planted duplicate Träger (``loaders.demo``), no database needed.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.analysis.linkage.link import LinkConfig, link  # noqa: E402
from graph.analysis.linkage.records import LinkRecord, link_record  # noqa: E402

DATA = ROOT / "bench" / "data" / "berlin_traeger.csv"


def berlin() -> tuple[list[LinkRecord], dict[str, tuple[str, str]]]:
    records: list[LinkRecord] = []
    labels: dict[str, tuple[str, str]] = {}
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
            labels[row["id"]] = (row["entity"], row["group"])
    return records, labels


def truth(labels: dict[str, tuple[str, str]]) -> dict[str, set[frozenset[str]]]:
    """Labelled pairs, from the groups (never all pairs: 50,000 records are 1.25e9 pairs)."""
    by_group: dict[str, list[str]] = defaultdict(list)
    for ident, (_, group) in labels.items():
        by_group[group].append(ident)
    same: set[frozenset[str]] = set()
    related: set[frozenset[str]] = set()
    for members in by_group.values():
        for a, b in combinations(sorted(members), 2):
            (same if labels[a][0] == labels[b][0] else related).add(frozenset((a, b)))
    return {"same": same, "related": related}


def score(found: set[frozenset[str]], true: set[frozenset[str]]) -> tuple[float, float, int, int]:
    hits = len(found & true)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(true) if true else 1.0
    return precision, recall, len(found), len(true)


def evaluate(name: str, records: list[LinkRecord], labels: dict[str, tuple[str, str]]) -> None:
    start = time.perf_counter()
    result = link(records)
    seconds = time.perf_counter() - start
    true = truth(labels)
    by: dict[str, set[frozenset[str]]] = {"same": set(), "related": set(), "renamed": set()}
    for s in result.suggestions:
        by[s.outcome].add(frozenset((s.a, s.b)))
    print(f"\n{name}: {len(records)} records, {result.candidates} candidate pairs, {seconds:.2f} s")
    for outcome in ("same", "related"):
        p, r, n, t = score(by[outcome], true[outcome])
        print(f"  {outcome:8s} P {p:.2f}  R {r:.2f}  ({n} suggested, {t} labelled)")
    print(f"  renamed  {len(by['renamed'])} suggested (no labels)")
    # Merges across entities, the errors that matter most.
    wrong = sorted(by["same"] - true["same"], key=sorted)
    names = {r.id: r.name for r in records}
    for pair in wrong[:40]:
        a, b = sorted(pair)
        kind = "related" if pair in true["related"] else "different"
        print(f"    false merge ({kind}): {names[a]!r} / {names[b]!r}")
    missed = sorted(true["same"] - by["same"], key=sorted)
    print(f"  missed same: {len(missed)}")
    for pair in missed[:60]:
        a, b = sorted(pair)
        print(f"    missed: {names[a]!r} / {names[b]!r}")
    p = result.parameters
    pairs = [f"{m:.3f}/{u:.3f}" for m, u in zip(p.m["name"], p.u["name"], strict=True)]
    print(f"  lambda {p.prior_match:.3f}; m/u of the name levels 0..4: {pairs}")


def planted() -> tuple[list[LinkRecord], dict[str, tuple[str, str]]]:
    from loaders.demo.organizations import DUPLICATE_RECORDS, organizations

    originals = {d.id: d.original_id for d in DUPLICATE_RECORDS}
    records = [
        link_record(o.id, o.name, website=o.website, phone=o.phone, email=o.email)
        for o in organizations()
    ]
    labels = {r.id: (originals.get(r.id, r.id),) * 2 for r in records}
    return records, labels


_PARTS = [
    "Sonnen",
    "Regen",
    "Wald",
    "Berg",
    "See",
    "Stadt",
    "Kiez",
    "Licht",
    "Stern",
    "Brücken",
    "Garten",
    "Feld",
    "Hafen",
    "Markt",
    "Linden",
    "Eichen",
    "Rosen",
    "Nord",
    "Süd",
    "West",
    "Fluss",
    "Wiesen",
    "Birken",
    "Ahorn",
    "Falken",
    "Adler",
    "Mond",
    "Quell",
    "Tal",
    "Heide",
]
_ENDS = [
    "blick",
    "haus",
    "hof",
    "weg",
    "werk",
    "land",
    "bund",
    "kreis",
    "netz",
    "brücke",
    "garten",
    "insel",
    "stern",
    "dach",
    "tor",
]
_KINDS = (
    "Kita",
    "Jugendhilfe",
    "Kinder- und Jugendhilfe",
    "Pflegedienst",
    "Sozialstation",
    "Beratungsstelle",
    "Familienzentrum",
    "Nachbarschaftshaus",
    "Seniorenheim",
    "Suchthilfe",
    "Kirchengemeinde St.",
    "Sportverein",
    "Bildungswerk",
    "Wohnhilfe",
)
_FORMS = ("e.V.", "gGmbH", "GmbH", "gUG", "")


def generated(n: int, seed: int = 11) -> tuple[list[LinkRecord], dict[str, tuple[str, str]]]:
    """A Land-sized directory: names from word pools and 400 towns, one in ten Träger entered
    a second time (legal form abbreviated, "Straße" as "Str.", upper case, same website)."""
    rng = random.Random(seed)
    stems = [a + b for a in _PARTS for b in _ENDS]
    streets = [f"{s}straße" for s in stems] + [f"Am {s}" for s in stems]
    records: list[LinkRecord] = []
    labels: dict[str, tuple[str, str]] = {}
    i = 0
    while len(records) < n:
        i += 1
        stem = rng.choice(stems) + (str(rng.randrange(50)) if rng.random() < 0.3 else "")
        town = f"Ort{rng.randrange(400)}"
        name = f"{rng.choice(_KINDS)} {stem} {town} {rng.choice(_FORMS)}".strip()
        number, postcode = rng.randrange(1, 200), rng.randrange(10000, 99999)
        street = f"{rng.choice(streets)} {number}, {postcode} {town}"
        site = f"https://www.{stem.lower()}-{i}.de" if rng.random() < 0.6 else None
        phone = f"0{rng.randrange(30, 999)} {rng.randrange(10**5, 10**7)}"
        phone_or_none = phone if rng.random() < 0.5 else None
        ident = f"g{i:06d}"
        records.append(
            link_record(ident, name, website=site, phone=phone_or_none, addresses=[street])
        )
        labels[ident] = (ident, ident)
        if rng.random() < 0.1 and len(records) < n:
            variant = name.replace("e.V.", "eV").replace("Straße", "Str.").upper()
            records.append(link_record(ident + "b", variant, website=site, addresses=[street]))
            labels[ident + "b"] = (ident, ident)
    return records, labels


def scale(n: int) -> None:
    big, labels = generated(n)
    start = time.perf_counter()
    result = link(big, LinkConfig())
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    outcomes = Counter(s.outcome for s in result.suggestions)
    same = {frozenset((s.a, s.b)) for s in result.suggestions if s.outcome == "same"}
    p, r, found, true = score(same, truth(labels)["same"])
    print(f"\nGenerated {len(big)} records: {result.candidates} candidate pairs, {seconds:.1f} s")
    print(f"  peak RSS {peak:.0f} MB (whole process); outcomes {dict(outcomes)}")
    print(f"  same P {p:.2f} R {r:.2f} ({found} suggested, {true} planted)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=0)
    args = parser.parse_args()
    records, labels = berlin()
    evaluate("Berlin (real, hand-labelled)", records, labels)
    evaluate("Demo (planted)", *planted())
    if args.scale:
        scale(args.scale)


if __name__ == "__main__":
    main()
