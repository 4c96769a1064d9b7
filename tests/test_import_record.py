"""Every import leaves an ImportRun record (who, when, file, hash, counts, state); an import
interrupted midway is visible as such, and re-running the same file converges to exactly what
a clean import writes, with no orphan status events (issue 14, item 6)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from api.cli import main
from graph import Graph, revision
from graph.admin import clear
from graph.analysis.cache import cache_of, cached_analyse
from graph.imports import import_runs
from graph.write import bundle_rows
from loaders.demo import generate
from loaders.formats import parse_input
from loaders.importer import run_import
from loaders.tabular.writer import write_csv_folder
from tests.loader_helpers import EXAMPLE_BUNDLE, ROOT

# Set by every write, so they differ between any two imports.
_MOMENTS = {"imported_at", "updated_at", "created_at"}


def _graph_state(db: Graph) -> tuple[list[Any], list[Any]]:
    """Nodes and relationships without ImportRun records, audit entries (each run writes its
    own) and write timestamps."""
    nodes = db.query(
        "MATCH (n) WHERE NOT n:ImportRun AND NOT n:AuditEvent AND NOT n:DataRevision "
        "RETURN labels(n) AS l, properties(n) AS p ORDER BY n.id"
    )
    for row in nodes:
        for key in _MOMENTS:
            row["p"].pop(key, None)
    rels = db.query(
        "MATCH (a)-[r]->(b) WHERE NOT a:ImportRun "
        "RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p ORDER BY a, t, b"
    )
    return nodes, rels


def _orphan_events(db: Graph) -> int:
    rows = db.query("MATCH (e:ReferralEvent) WHERE NOT ()-[:HAS_EVENT]->(e) RETURN count(e) AS n")
    return int(rows[0]["n"])


def _import(db: Graph, path: Path, **kwargs: Any) -> Any:
    parsed, used = parse_input(path, "auto", "beispiel")
    return run_import(db, parsed, source="beispiel", format=used, **kwargs)


def _clean_state(db: Graph, path: Path) -> tuple[list[Any], list[Any]]:
    clear(db)
    _import(db, path)
    state = _graph_state(db)
    clear(db)
    return state


def test_cli_import_records_who_file_hash_counts(db: Graph) -> None:
    result = CliRunner().invoke(main, ["import", str(EXAMPLE_BUNDLE / "traeger.csv")])
    assert result.exit_code == 0, result.output
    (run,) = import_runs(db)
    assert run.state == "finished"
    assert run.by.startswith("cli:")
    assert run.file == "traeger.csv"
    digest = hashlib.sha256((EXAMPLE_BUNDLE / "traeger.csv").read_bytes()).hexdigest()
    assert run.sha256 == digest
    assert run.created == {"Organization": 4}
    assert run.finished_at is not None
    assert run.finished_at >= run.started_at
    listing = CliRunner().invoke(main, ["imports"])
    assert listing.exit_code == 0, listing.output
    assert "fertig" in listing.output
    assert "traeger.csv" in listing.output
    assert digest[:12] in listing.output


class _Stop(Exception):
    pass


@pytest.mark.parametrize(
    ("raised", "state"), [(KeyboardInterrupt, "interrupted"), (_Stop, "failed")]
)
def test_interrupted_between_batches_then_rerun_converges(
    db: Graph, raised: type[BaseException], state: str
) -> None:
    clean = _clean_state(db, EXAMPLE_BUNDLE)
    parsed, _ = parse_input(EXAMPLE_BUNDLE, "auto", "beispiel")
    # Stop right after the status events were written, before their referrals: the worst
    # moment (events without a referral).
    before_referrals = bundle_rows(parsed.bundle) - len(parsed.bundle.referrals)

    def stop(done: int, total: int) -> None:
        if done >= before_referrals:
            raise raised("Abbruch nach einem Batch")

    with pytest.raises(raised):
        _import(db, EXAMPLE_BUNDLE, progress=stop)
    (run,) = import_runs(db)
    assert run.state == state
    assert run.finished_at is not None
    assert _orphan_events(db) > 0  # the half-written state is real
    assert db.query("MATCH (r:Referral) RETURN count(r) AS n") == [{"n": 0}]
    _import(db, EXAMPLE_BUNDLE)
    assert _graph_state(db) == clean
    assert _orphan_events(db) == 0
    assert [r.state for r in import_runs(db)] == ["finished", state]


def test_shorter_history_leaves_no_orphan_events(db: Graph, tmp_path: Path) -> None:
    _import(db, EXAMPLE_BUNDLE)
    folder = tmp_path / "b"
    folder.mkdir()
    events = (EXAMPLE_BUNDLE / "referral_events.csv").read_text("utf-8").splitlines()
    (folder / "referral_events.csv").write_text("\n".join(events[:2]) + "\n", "utf-8")
    (folder / "referrals.csv").write_bytes((EXAMPLE_BUNDLE / "referrals.csv").read_bytes())
    _import(db, folder)
    assert _orphan_events(db) == 0


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill", "term"])
def test_killed_cli_import_is_shown_interrupted_and_rerun_converges(
    db: Graph, tmp_path: Path, sig: signal.Signals
) -> None:
    bundle = tmp_path / "stadt"
    write_csv_folder(generate("small").bundle, bundle)
    clean = _clean_state(db, bundle)
    process = subprocess.Popen(
        [Path(sys.executable).parent / "verbund", "import", str(bundle), "--source", "beispiel"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        # Kill once the run is recorded and the first table (areas) is in: most of the
        # write is still to come, so the kill lands midway however fast the machine is.
        while time.monotonic() < deadline:
            rows = db.query(
                "MATCH (r:ImportRun) OPTIONAL MATCH (a:Area) "
                "RETURN r.state AS state, count(a) AS areas"
            )
            if rows and rows[0]["state"] == "running" and rows[0]["areas"] > 0:
                break
            time.sleep(0.02)
        os.kill(process.pid, sig)
    finally:
        process.wait(timeout=60)
    (run,) = import_runs(db)
    # SIGKILL: no chance to settle the run; SIGTERM: the import settles it itself.
    assert run.state == ("running" if sig == signal.SIGKILL else "interrupted")
    assert db.query("MATCH (r:Referral) RETURN count(r) AS n")[0]["n"] < len(
        generate("small").bundle.referrals
    )
    listing = CliRunner().invoke(main, ["imports"])
    assert "abgebrochen" in listing.output, listing.output
    assert import_runs(db)[0].state == "interrupted"
    rerun = CliRunner().invoke(main, ["import", str(bundle), "--source", "beispiel"])
    assert rerun.exit_code == 0, rerun.output
    assert _graph_state(db) == clean
    assert _orphan_events(db) == 0


def test_a_reimport_that_changes_nothing_keeps_the_revision_and_the_cache(db: Graph) -> None:
    """Re-importing the same file writes no data: the data revision stays, so the analyses
    are not computed again; the run is still recorded. A changed row bumps it again."""
    _import(db, EXAMPLE_BUNDLE)
    cached_analyse(db)
    computed = cache_of(db).computations
    before = revision.current(db)
    report = _import(db, EXAMPLE_BUNDLE)
    assert report.is_no_op
    assert revision.current(db) == before
    cached_analyse(db)
    assert cache_of(db).computations == computed
    assert [r.state for r in import_runs(db)] == ["finished", "finished"]
    # A change as the API makes it (a new version), which the import then overwrites.
    db.query(
        "MATCH (o:Organization) WITH o LIMIT 1 "
        "SET o.name = o.name + ' alt', o.version = coalesce(o.version, 1) + 1",
        write=True,
    )
    changed = revision.current(db)
    assert changed != before
    again = _import(db, EXAMPLE_BUNDLE)
    assert sum(again.plan.changed.values()) == 1
    assert revision.current(db) not in (before, changed)
