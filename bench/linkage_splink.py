"""splink (DuckDB backend) on the labelled Berlin set, for the engine comparison in
docs/analyses.md. splink is NOT a dependency of verbund; run it in a separate venv:

    .venv/bin/python bench/linkage_splink.py --export /tmp/recs.json        # project venv
    python3 -m venv /tmp/splinkenv && /tmp/splinkenv/bin/pip install splink
    /tmp/splinkenv/bin/python bench/linkage_splink.py --run /tmp/recs.json  # splink venv

The export uses verbund's own normalisation (name words, website, phone, street and number),
so both engines see the same cleaned fields; splink then models name (Jaro-Winkler with
term-frequency adjustment, shared words), website (TF-adjusted), phone and address, with
λ from deterministic rules, u from random pairs and m by EM, as its documentation suggests.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from itertools import combinations
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "berlin_traeger.csv"


def export(path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from graph.analysis.linkage.records import link_record

    recs: list[dict[str, Any]] = []
    with DATA.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            lr = link_record(
                r["id"],
                r["name"],
                website=r["website"] or None,
                phone=r["phone"] or None,
                addresses=[a for a in r["addresses"].split(" | ") if a],
            )
            toks = list(lr.tokens)
            a = lr.addresses[0] if lr.addresses else None
            recs.append(
                {
                    "unique_id": r["id"],
                    "name": " ".join(toks) or None,
                    "site": lr.site,
                    "phone": lr.phone,
                    "street": f"{a.street} {a.first}" if a else None,
                    "tok1": toks[0] if toks else None,
                    "tok2": toks[1] if len(toks) > 1 else None,
                    "name_tokens": toks,
                    "entity": r["entity"],
                }
            )
    path.write_text(json.dumps(recs), encoding="utf-8")


def run(path: Path) -> None:
    import duckdb
    import splink
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    recs = json.loads(path.read_text(encoding="utf-8"))
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t (unique_id VARCHAR, name VARCHAR, site VARCHAR, phone VARCHAR, "
        "street VARCHAR, tok1 VARCHAR, tok2 VARCHAR, name_tokens VARCHAR[], entity VARCHAR)"
    )
    con.executemany("INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?)", [list(d.values()) for d in recs])
    start = time.perf_counter()
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("name", [0.95, 0.88, 0.8]).configure(
                term_frequency_adjustments=True
            ),
            cl.ArrayIntersectAtSizes("name_tokens", [2, 1]),
            cl.ExactMatch("site").configure(term_frequency_adjustments=True),
            cl.ExactMatch("phone"),
            cl.ExactMatch("street"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on(c) for c in ("tok1", "tok2", "site", "street", "phone")
        ],
    )
    db_api = DuckDBAPI(connection=con)
    linker = Linker(db_api.table_to_splink_dataframe("t", "t"), settings, log_level="WARNING")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name"), block_on("site")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e5)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("tok1"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("site"))
    entity = {d["unique_id"]: d["entity"] for d in recs}
    true = {frozenset(p) for p in combinations(sorted(entity), 2) if entity[p[0]] == entity[p[1]]}
    for threshold in (0.5, 0.9, 0.99):
        out = linker.inference.predict(threshold_match_probability=threshold)
        relation = out.as_duckdbpyrelation()
        rows, cols = relation.fetchall(), relation.columns
        ia, ib = cols.index("unique_id_l"), cols.index("unique_id_r")
        found = {frozenset((r[ia], r[ib])) for r in rows}
        hits = len(found & true)
        print(
            f"splink {splink.__version__} at {threshold}: {len(found)} suggested, "
            f"P {hits / max(len(found), 1):.2f} R {hits / len(true):.2f}, "
            f"{time.perf_counter() - start:.1f} s since start"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--export", type=Path)
    group.add_argument("--run", type=Path)
    args = parser.parse_args()
    if args.export:
        export(args.export)
    else:
        run(args.run)


if __name__ == "__main__":
    main()
