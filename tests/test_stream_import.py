"""A large HSDS file imported in parts (loaders/stream_import.py) ends as the single pass
does: the same graph and the same counts, into an empty database and over changed records.
A part refused late, or a stop, takes back the parts already written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from api.cli import main
from api.settings import get_settings
from graph import Bundle, Graph
from graph.imports import import_runs
from loaders import importer
from loaders.demo import generate
from loaders.errors import ImportRejected, LoaderError
from loaders.formats import graph_directory
from loaders.hsds.reader import read_hsds
from loaders.hsds.stream import scan, service_parts
from loaders.hsds.writer import write_hsds
from loaders.importer import ImportReport
from loaders.stream_import import run_streamed_import
from loaders.streaming import streams
from loaders.tabular.writer import write_csv_folder
from tests.loader_helpers import import_path, snapshot

# Demo services per part: the small demo's 186 services make eight parts.
PART = 25
_STAMPS = {"imported_at", "created_at", "updated_at"}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The small demo's Sozialräume (CSV) and its directory as HSDS NDJSON, plus an older
    version of that file: some services renamed, moved to another Standort or missing, one
    Träger under another name (and a third one in its last copy)."""
    root = tmp_path_factory.mktemp("stream")
    demo = generate("small").bundle
    areas = root / "areas"
    write_csv_folder(Bundle(areas=demo.areas), areas)
    part = Bundle(
        areas=demo.areas,
        categories=demo.categories,
        organizations=demo.organizations,
        locations=demo.locations,
        services=demo.services,
    )
    current = root / "services.ndjson"
    write_hsds(part, current)
    lines = current.read_text("utf-8").splitlines()
    first_org = json.loads(lines[0])["organization"]["id"]
    last_copy = max(
        n for n, line in enumerate(lines) if json.loads(line)["organization"]["id"] == first_org
    )
    older = []
    for n, line in enumerate(lines):
        record: dict[str, Any] = json.loads(line)
        if n % 5 == 4:
            continue  # new in the current file
        if n % 3 == 0:
            record["name"] += " (alt)"
        if n % 4 == 1 and len(record["service_at_locations"]) > 1:
            record["service_at_locations"] = record["service_at_locations"][:1]
        if record["organization"]["id"] == first_org:
            # The last copy differs from the others: kept as the first, with a warning.
            record["organization"]["name"] += " (abweichend)" if n == last_copy else " (alt)"
        older.append(json.dumps(record, ensure_ascii=False))
    old = root / "older.ndjson"
    old.write_text("\n".join(older) + "\n", "utf-8")
    return {"areas": areas, "current": current, "older": old}


def _streamed(db: Graph, path: Path, **options: Any) -> ImportReport:
    return run_streamed_import(
        db, path, source="hsds", part_size=PART, directory=graph_directory(db), **options
    )


def _data(graph: Graph) -> list[dict[str, Any]]:
    """The graph without import runs and per-run stamps (each import has its own time)."""
    out = []
    for row in snapshot(graph):
        if "ImportRun" in row.get("labels", []):
            continue
        props = {k: v for k, v in (row["props"] or {}).items() if k not in _STAMPS}
        out.append({**row, "props": props})
    return out


def _exact(graph: Graph) -> list[dict[str, Any]]:
    """The graph without import runs, every property as stored (times included)."""
    return [row for row in snapshot(graph) if "ImportRun" not in row.get("labels", [])]


def _counts(graph: Graph) -> dict[str, Any]:
    (run,) = [r for r in import_runs(graph) if r.source == "hsds"][:1]
    return {
        "state": run.state,
        "created": run.created,
        "changed": run.changed,
        "unchanged": run.unchanged,
        "pruned": run.pruned,
        "rows_total": run.rows_total,
        "warnings": run.warnings,
    }


def _prepare(db: Graph, files: dict[str, Path], *, changed: bool) -> None:
    import_path(db, files["areas"], source="gebiete")
    if changed:
        import_path(db, files["older"], source="hsds")


@pytest.mark.parametrize("changed", [False, True], ids=["empty", "changed"])
@pytest.mark.parametrize("prune", [False, True], ids=["keep", "prune"])
def test_streamed_import_ends_as_the_single_pass(
    db: Graph, files: dict[str, Path], changed: bool, prune: bool
) -> None:
    _prepare(db, files, changed=changed)
    single = import_path(db, files["current"], source="hsds", prune=prune)
    single_data, single_counts = _data(db), _counts(db)
    db.query("MATCH (n) DETACH DELETE n", write=True)
    _prepare(db, files, changed=changed)
    streamed = _streamed(db, files["current"], prune=prune)
    assert _data(db) == single_data
    assert _counts(db) == single_counts
    assert streamed.plan.created == single.plan.created
    assert streamed.plan.changed == single.plan.changed
    assert streamed.plan.unchanged == single.plan.unchanged
    assert streamed.pruned == single.pruned
    assert [str(w) for w in streamed.warnings] == [str(w) for w in single.warnings]
    key = sorted((r.table, r.id, r.outcome, r.changes) for r in streamed.review.records)
    assert key == sorted((r.table, r.id, r.outcome, r.changes) for r in single.review.records)
    assert single_counts["state"] == "finished"
    assert sum(single.plan.created.values()) > 0
    if changed:
        assert single.plan.changed.get("Service", 0) > 0
        assert single.plan.changed.get("Organization", 0) == 1


def test_a_dry_run_in_parts_counts_as_the_single_pass(db: Graph, files: dict[str, Path]) -> None:
    _prepare(db, files, changed=True)
    before = snapshot(db)
    single = import_path(db, files["current"], source="hsds", dry_run=True)
    streamed = _streamed(db, files["current"], dry_run=True)
    assert snapshot(db) == before
    assert (streamed.plan.created, streamed.plan.changed, streamed.plan.unchanged) == (
        single.plan.created,
        single.plan.changed,
        single.plan.unchanged,
    )
    assert len(streamed.review.records) == len(single.review.records)


def _spoiled(files: dict[str, Path], tmp_path: Path) -> tuple[Path, int, int]:
    """The current file with the last service's name too long (found only by the checks of
    its part, after the parts before it were written); its record number and line."""
    lines = files["current"].read_text("utf-8").splitlines()
    record = json.loads(lines[-1])
    record["name"] = "N" * 400
    lines[-1] = json.dumps(record, ensure_ascii=False)
    path = tmp_path / "services.ndjson"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path, len(lines), len(lines)


@pytest.mark.parametrize("changed", [False, True], ids=["empty", "changed"])
def test_a_part_refused_late_takes_back_the_parts_written(
    db: Graph, files: dict[str, Path], tmp_path: Path, changed: bool
) -> None:
    _prepare(db, files, changed=changed)
    before = _exact(db)
    path, number, line = _spoiled(files, tmp_path)
    with pytest.raises(ImportRejected) as rejected:
        _streamed(db, path)
    where = f"services.ndjson, Datensatz {number} (Zeile {line}), Feld „name“"
    assert [str(i).split(":")[0] for i in rejected.value.issues] == [where]
    assert _exact(db) == before
    run = import_runs(db)[0]
    assert run.state == "failed"
    assert run.error.startswith(where + ": ")
    assert "300" in run.error


def test_a_late_refusal_lists_every_problem_of_the_file(
    db: Graph, files: dict[str, Path], tmp_path: Path
) -> None:
    """Two services refused only by their parts' checks, in the fifth part and the last:
    both are named, in file order, as the single pass names them; nothing stays written."""
    _prepare(db, files, changed=True)
    before = _exact(db)
    lines = files["current"].read_text("utf-8").splitlines()
    spoiled = [len(lines) - 2 * PART - 1, len(lines) - 1]
    for n in spoiled:
        record = json.loads(lines[n])
        record["name"] = "N" * 400
        lines[n] = json.dumps(record, ensure_ascii=False)
    path = tmp_path / "services.ndjson"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(ImportRejected) as streamed:
        _streamed(db, path)
    assert _exact(db) == before
    assert [str(i).split(":")[0] for i in streamed.value.issues] == [
        f"services.ndjson, Datensatz {n + 1} (Zeile {n + 1}), Feld „name“" for n in spoiled
    ]
    with pytest.raises(ImportRejected) as single:
        import_path(db, path, source="hsds")
    assert [str(i) for i in streamed.value.issues] == [str(i) for i in single.value.issues]
    assert _exact(db) == before


@pytest.mark.parametrize("where", ["between", "inside"])
def test_a_stop_takes_back_the_parts_written(db: Graph, files: dict[str, Path], where: str) -> None:
    """A stop noted (SIGTERM's handler calls request_stop) is acted on before the next part;
    Ctrl+C raises where it is, here in the middle of a part's write."""
    _prepare(db, files, changed=True)
    before = _exact(db)

    def stop_late(done: int, total: int) -> None:
        if done > total // 2:
            if where == "inside":
                raise KeyboardInterrupt
            importer.request_stop()

    try:
        with pytest.raises(KeyboardInterrupt):
            _streamed(db, files["current"], progress=stop_late)
    finally:
        importer.STOPPED.clear()
    assert _exact(db) == before
    run = import_runs(db)[0]
    assert run.state == "interrupted"
    assert run.error == "abgebrochen (Strg+C oder Signal)"


def test_only_large_hsds_files_stream(files: dict[str, Path]) -> None:
    size = files["current"].stat().st_size
    assert streams(files["current"], "hsds", threshold=size)
    assert not streams(files["current"], "hsds", threshold=size + 1)
    assert not streams(files["current"], "csv", threshold=0)
    assert not streams(files["areas"], "hsds", threshold=0)  # a folder: the table package


@pytest.mark.parametrize("threshold", ["0", "999999999"], ids=["streamed", "single"])
def test_the_cli_streams_from_the_size_setting(
    db: Graph,
    files: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    threshold: str,
) -> None:
    """A file at or above VERBUND_IMPORT_STREAM_BYTES goes in parts: a record refused late
    leaves a failed run behind; below it the single pass refuses before any run is recorded.
    Either way the data stay as they were."""
    import_path(db, files["areas"], source="gebiete")
    before = _exact(db)
    path, _, _ = _spoiled(files, tmp_path)
    monkeypatch.setenv("VERBUND_IMPORT_STREAM_BYTES", threshold)
    monkeypatch.setenv("VERBUND_IMPORT_PART_SIZE", str(PART))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["import", str(path), "--source", "hsds"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1, result.output
    assert "Feld „name“" in result.output
    assert _exact(db) == before
    runs = [r.state for r in import_runs(db, "hsds")]
    assert runs == (["failed"] if threshold == "0" else [])


def test_the_two_passes_read_what_the_single_pass_reads(files: dict[str, Path]) -> None:
    """The first pass gives the single pass's messages and records but the services', the
    second (unchecked) pass its services with their origins and given fields."""
    path = files["older"]
    full = read_hsds(path, "hsds")
    first = scan(path, "hsds")
    parts = list(service_parts(path, "hsds", PART))
    assert len(parts) == -(-len(full.bundle.services) // PART) > 1
    assert [s for p in parts for s in p.bundle.services] == full.bundle.services
    assert [o for p in parts for o in p.origins["services"]] == full.origins["services"]
    given = {k: v for p in parts for k, v in p.record_columns["services"].items()}
    assert given == full.record_columns["services"]
    assert not any(p.issues or p.warnings for p in parts)
    assert first.service_ids == {s.id for s in full.bundle.services}
    assert first.head.bundle.services == []
    for table in ("organizations", "locations", "categories"):
        assert getattr(first.head.bundle, table) == getattr(full.bundle, table)
        assert first.head.origins[table] == full.origins[table]
        assert first.head.record_columns[table] == full.record_columns[table]
    assert [str(w) for w in first.head.warnings] == [str(w) for w in full.warnings]
    assert len(full.warnings) > 0  # the Träger's last copy differs from the others


def test_a_file_changed_between_the_passes_is_taken_back(
    db: Graph, files: dict[str, Path], tmp_path: Path
) -> None:
    import_path(db, files["areas"], source="gebiete")
    before = _exact(db)
    path = tmp_path / "services.ndjson"
    path.write_bytes(files["current"].read_bytes())

    def touch(done: int, total: int) -> None:
        if done > total // 2:
            with path.open("a", encoding="utf-8") as fh:
                fh.write("\n")

    with pytest.raises(LoaderError, match="während des Imports geändert"):
        _streamed(db, path, progress=touch)
    assert _exact(db) == before
    assert import_runs(db)[0].state == "failed"
