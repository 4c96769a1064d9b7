"""What every import promises, whatever the format: provenance on every node, progress while
writing, and the CLI's summary table (with pruned rows in a dry run)."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from api.cli import main
from graph import Graph
from graph.write import bundle_rows
from loaders.formats import parse_input
from loaders.importer import run_import
from tests.loader_helpers import EXAMPLE_BUNDLE, ROOT, import_path

HSDS_EXAMPLE = ROOT / "examples" / "hsds" / "services.json"
TRAEGERLISTE = ROOT / "tests" / "fixtures" / "traegerliste"


def _unstamped(graph: Graph) -> list[dict[str, object]]:
    # ImportRun and AuditEvent record the import; they are not imported data.
    return graph.query(
        "MATCH (n) WHERE NOT n:ImportRun AND NOT n:AuditEvent AND NOT n:DataRevision "
        "AND (n.source IS NULL OR n.imported_at IS NULL) "
        "RETURN labels(n) AS labels, count(*) AS n"
    )


def test_every_node_keeps_source_and_imported_at(db: Graph) -> None:
    import_path(db, EXAMPLE_BUNDLE, source="beispiel")
    import_path(db, HSDS_EXAMPLE, source="hsds")
    import_path(db, TRAEGERLISTE / "liste.csv", mapping=TRAEGERLISTE / "zuordnung.yaml")
    assert _unstamped(db) == []
    sources = db.query(
        "MATCH (n) WHERE NOT n:ImportRun AND NOT n:AuditEvent AND NOT n:DataRevision "
        "RETURN DISTINCT n.source AS s ORDER BY s"
    )
    assert [row["s"] for row in sources] == ["beispiel", "hsds", "test"]
    # relationships an import writes as rows of their own keep their source, too
    assert db.query(
        "MATCH ()-[r:MEMBER_OF|ADJACENT_TO]->() WHERE r.source IS NULL RETURN count(r) AS n"
    ) == [{"n": 0}]


def test_progress_is_reported_up_to_the_total(db: Graph) -> None:
    parsed, used = parse_input(EXAMPLE_BUNDLE, "auto", "beispiel")
    seen: list[tuple[int, int]] = []
    run_import(
        db, parsed, source="beispiel", format=used, progress=lambda d, t: seen.append((d, t))
    )
    total = bundle_rows(parsed.bundle)  # records plus referral status events
    assert seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def _table(output: str) -> dict[str, list[str]]:
    """The summary table's rows by their first cell (rich draws it with │ or ┃ between cells)."""
    rows = {}
    for line in output.replace("┃", "│").splitlines():
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        if len(cells) == 5 and cells[0]:
            rows[cells[0]] = cells[1:]
    return rows


def test_summary_table_and_dry_run_with_prune(db: Graph, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(EXAMPLE_BUNDLE, bundle)
    runner = CliRunner()
    first = runner.invoke(main, ["import", str(bundle), "--source", "beispiel"])
    assert first.exit_code == 0, first.output
    assert "Import: beispiel (csv)" in first.output
    rows = _table(first.output)
    assert rows["Service"] == ["3", "0", "0", "0"]
    assert rows["Typ"] == ["neu", "geändert", "unverändert", "gelöscht"]
    # One service dropped from the file, another changed: what would a pruning import do?
    services = bundle / "angebote.csv"
    lines = services.read_text("utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("sb-eva-cannstatt")]
    assert len(kept) == len(lines) - 1
    services.write_text("\n".join(kept).replace(";40;Fälle;31;", ";45;Fälle;31;") + "\n", "utf-8")
    dry = runner.invoke(
        main, ["import", str(bundle), "--source", "beispiel", "--dry-run", "--prune"]
    )
    assert dry.exit_code == 0, dry.output
    assert "Probelauf (nichts geschrieben): beispiel (csv)" in dry.output
    rows = _table(dry.output)
    assert rows["Service"] == ["0", "1", "1", "1"]
    assert db.query("MATCH (s:Service) RETURN count(s) AS n") == [{"n": 3}]
