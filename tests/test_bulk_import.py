"""The bulk first load (``verbund import --bulk``) against a real Neo4j of its own: the
offline import stops and starts the server, so it never runs on the suite's shared one.

It must store exactly what the transactional writer stores (compared node by node and
relationship by relationship), a normal re-import of the same files must be a no-op, and
it must refuse a database that holds anything and leave it unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from api.localneo4j import LocalNeo4j, LocalServerError
from api.settings import Settings
from graph import Graph
from graph.admin import clear
from graph.bulk import write_files
from graph.migrations import migrate
from graph.write import write_bundle
from loaders.bulk import BulkRefused, run_bulk_import
from loaders.demo import generate
from loaders.formats import parse_input
from loaders.importer import run_import
from loaders.tabular.writer import write_csv_folder

pytestmark = pytest.mark.slow

# Set by the writer at write time (differ between two writes), not by the records.
_CLOCK = {"updated_at", "created_at", "imported_at"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j]:
    state = tmp_path_factory.mktemp("bulk") / "state"
    settings = Settings(
        VERBUND_STATE_DIR=state, VERBUND_NEO4J_HEAP="384m", VERBUND_NEO4J_PAGECACHE="64m"
    )
    local = LocalNeo4j(settings)
    local.start()
    yield local
    local.stop()


def _connect(server: LocalNeo4j) -> Graph:
    # Like the command line: batch work, reads not cut at the API's query timeout (a server
    # just started on a busy machine answers the first reads slowly).
    return Graph(dataclasses.replace(server.config(), query_timeout=None))


@pytest.fixture
def graph(server: LocalNeo4j) -> Iterator[Graph]:
    with _connect(server) as handle:
        clear(handle)
        migrate(handle)
        yield handle


def _dump(graph: Graph) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str, str, Any]]]:
    nodes = {
        f"{row['label']}:{row['id']}": {k: v for k, v in row["props"].items() if k not in _CLOCK}
        for row in graph.query(
            "MATCH (n) WHERE NOT n:DataRevision AND NOT n:AuditEvent AND NOT n:ImportRun "
            "RETURN labels(n)[0] AS label, n.id AS id, properties(n) AS props"
        )
    }
    rels = sorted(
        (row["a"], row["t"], row["b"], sorted(row["props"].items()))
        for row in graph.query(
            "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS props"
        )
    )
    return nodes, rels


def test_bulk_load_stores_what_the_writer_stores_and_reimport_is_a_no_op(
    graph: Graph, server: LocalNeo4j, tmp_path: Path
) -> None:
    bundle = generate("small").bundle
    folder = tmp_path / "small"
    write_csv_folder(bundle, folder)
    parsed, fmt = parse_input(folder, "auto", "demo")
    report, times = run_bulk_import(
        graph, parsed, source="demo", format=fmt, load=server.offline_import
    )
    assert report.plan.created["Household"] == len(bundle.households)
    assert times.tool > 0
    # A new database: the old connection's bookmarks name transactions it never had.
    graph = _connect(server)
    bulk_nodes, bulk_rels = _dump(graph)
    (audit,) = graph.query("MATCH (a:AuditEvent) RETURN count(a) AS n, collect(a.records) AS r")
    assert audit["n"] >= 1
    assert any(f"Household:{bundle.households[0].id}" in r for r in audit["r"])
    (run,) = graph.query("MATCH (r:ImportRun) RETURN r.state AS state, r.source AS source")
    assert run == {"state": "finished", "source": "demo"}

    again = run_import(graph, parse_input(folder, "auto", "demo")[0], source="demo", format=fmt)
    assert again.is_no_op, (again.plan.created, again.plan.changed)
    assert _dump(graph) == (bulk_nodes, bulk_rels)
    graph.close()
    graph = _connect(server)

    # The same records through the transactional writer give the same graph.
    clear(graph)
    reparsed = parse_input(folder, "auto", "demo")[0].bundle
    write_bundle(graph, reparsed, stamp={"imported_at": datetime.now(UTC)})
    written_nodes, written_rels = _dump(graph)
    assert written_nodes.keys() == bulk_nodes.keys()
    for key, props in written_nodes.items():
        assert bulk_nodes[key] == props, key
    assert bulk_rels == written_rels
    graph.close()


def test_bulk_load_refuses_a_database_with_data_and_leaves_it_unchanged(
    graph: Graph, server: LocalNeo4j, tmp_path: Path
) -> None:
    bundle = generate("small").bundle
    write_bundle(graph, bundle)
    before = _dump(graph)
    folder = tmp_path / "small"
    write_csv_folder(bundle, folder)
    parsed, fmt = parse_input(folder, "auto", "demo")
    with pytest.raises(BulkRefused, match="nur in eine leere Datenbank"):
        run_bulk_import(graph, parsed, source="demo", format=fmt, load=server.offline_import)
    assert _dump(graph) == before


def test_failed_offline_import_puts_the_old_store_back(
    graph: Graph, server: LocalNeo4j, tmp_path: Path
) -> None:
    bundle = generate("small").bundle
    write_bundle(graph, bundle)
    before = _dump(graph)
    # A relationship to a node the files do not hold: the tool refuses the whole load.
    broken = write_files(generate("small").bundle, tmp_path / "files", now=datetime.now(UTC))
    data = broken.relationships[0][2]
    with data.open("a", encoding="utf-8") as fh:
        fh.write('"nicht-da","auch-nicht-da"\n')
    with pytest.raises(LocalServerError, match="Datenbank ist unverändert"):
        server.offline_import(broken.arguments())
    with _connect(server) as fresh:
        assert _dump(fresh) == before


def test_cli_refuses_bulk_for_a_remote_server_and_with_other_modes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from api.cli import main
    from api.settings import get_settings

    folder = tmp_path / "small"
    write_csv_folder(generate("small").bundle, folder)
    runner = CliRunner()
    try:
        monkeypatch.setenv("NEO4J_URI", "bolt://example.invalid:7687")
        monkeypatch.setenv("NEO4J_PASSWORD", "x")
        get_settings.cache_clear()
        remote = runner.invoke(main, ["import", str(folder), "--bulk"])
        assert remote.exit_code != 0
        assert "nur in die lokale Neo4j" in remote.output
        monkeypatch.delenv("NEO4J_URI")
        get_settings.cache_clear()
        mixed = runner.invoke(main, ["import", str(folder), "--bulk", "--dry-run"])
        assert mixed.exit_code != 0
        assert "nicht mit --dry-run oder --prune" in mixed.output
    finally:
        get_settings.cache_clear()


def test_import_files_keep_empty_texts_and_refuse_what_they_cannot_carry(tmp_path: Path) -> None:
    from dataclasses import replace

    from graph.bulk import BulkUnsupported

    bundle = generate("small").bundle
    org = bundle.organizations[0]
    bundle.organizations[0] = replace(org, description="", website=None, name='Träger "A", B')
    files = write_files(bundle, tmp_path / "ok", now=datetime.now(UTC))
    text = (tmp_path / "ok" / "Organization.csv").read_text("utf-8")
    line = next(row for row in text.splitlines() if row.startswith(f'"{org.id}"'))
    assert '"Träger ""A"", B"' in line
    assert ',"",' in line  # the empty description stays an empty text
    assert any(label == "Organization" for label, _, _ in files.nodes)
    bundle.organizations[0] = replace(org, name="Träger\x1fA")
    with pytest.raises(BulkUnsupported, match="U\\+001F"):
        write_files(bundle, tmp_path / "bad", now=datetime.now(UTC))
