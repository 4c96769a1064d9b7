"""The confirmed import in the background: its page shows the progress kept on the ImportRun,
one import at a time, a refusal in the background writes nothing and says why in German;
prune and GeoJSON options on the upload form; allowed values named with German labels."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from api.cli import main
from api.settings import get_settings
from api.web.import_jobs import JOBS
from api.web.uploads import discard, uploads_dir
from graph import Graph
from graph.imports import ImportRun, finish_import_run, import_run, start_import_run
from loaders.formats import graph_areas, parse_input
from loaders.importer import ImportBusy, run_import
from tests.loader_helpers import EXAMPLE_BUNDLE, import_path, snapshot
from tests.webclient import csrf_of, sign_in, web_client

TRAEGER = (EXAMPLE_BUNDLE / "traeger.csv").read_text("utf-8")


@pytest.fixture
def base(db: Graph, tmp_path: Path) -> Graph:
    """The example Träger in the graph, source „bestand“."""
    folder = tmp_path / "bestand"
    folder.mkdir()
    shutil.copy(EXAMPLE_BUNDLE / "traeger.csv", folder / "traeger.csv")
    import_path(db, folder, source="bestand")
    return db


def _staged() -> set[str]:
    root = uploads_dir(get_settings().state_dir)
    return {p.name for p in root.iterdir()} if root.is_dir() else set()


@pytest.fixture
def coordinator(base: Graph) -> Iterator[TestClient]:
    before = _staged()
    with web_client(base) as client:
        sign_in(client, "koordination")
        yield client
    for token in _staged() - before:
        discard(get_settings().state_dir, token.removesuffix(".import"))


def _upload(client: TestClient, name: str, content: bytes, **fields: str) -> tuple[int, str]:
    token = csrf_of(client.get("/import").text)
    answer = client.post(
        "/import/pruefen",
        data={"csrf_token": token, **fields},
        files=[("datei", (name, content, "application/octet-stream"))],
    )
    return answer.status_code, answer.text


def _confirm(client: TestClient, page: str) -> str:
    done = client.post("/import/ausfuehren", data={"csrf_token": csrf_of(page)})
    assert done.status_code == 303, done.text[:500]
    location: str = done.headers["location"]
    return location


def _ended(client: TestClient, run_page: str) -> str:
    assert JOBS.wait(run_page.rsplit("/", 1)[1], timeout=120)
    answer = client.get(run_page)
    assert answer.status_code == 200
    return answer.text


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _running_run(graph: Graph) -> ImportRun:
    """A run as the CLI leaves it while it writes: ``running``, this machine, a live process."""
    run = ImportRun(
        id=str(uuid.uuid4()),
        source="cli-quelle",
        format="csv",
        started_at=datetime.now(UTC),
        by="cli:planung",
        file="gross.zip",
        host=socket.gethostname(),
        pid=os.getpid(),
        rows_done=1200,
        rows_total=10000,
    )
    start_import_run(graph, run)
    return run


def test_a_running_import_shows_its_progress_and_refuses_a_second(
    coordinator: TestClient, base: Graph
) -> None:
    run = _running_run(base)
    page = coordinator.get(f"/import/lauf/{run.id}")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Der Import läuft" in text
    assert "1.200 von 10.000 Zeilen geschrieben" in text
    assert '<progress id="fortschritt" max="10000" value="1200">' in page.text
    # Refreshes itself: htmx polling, and without JavaScript a meta refresh and a link.
    assert 'hx-trigger="every 2s"' in page.text
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page.text
    assert f'href="/import/lauf/{run.id}">Aktualisieren</a>' in page.text
    assert "1.200 von 10.000 Zeilen" in _text(coordinator.get("/import").text)
    listed = CliRunner().invoke(main, ["imports"])
    assert "läuft (1.200 von 10.000 Zeilen)" in listed.output

    status, review = _upload(coordinator, "traeger.csv", TRAEGER.encode(), quelle="bestand")
    assert status == 200
    refused = coordinator.post("/import/ausfuehren", data={"csrf_token": csrf_of(review)})
    assert refused.status_code == 409
    assert "Es läuft gerade ein anderer Import (gross.zip" in refused.text
    assert "Ihre geprüfte Datei bleibt bereit" in refused.text
    # The checked file waits on the import page until the other import has ended.
    assert "Geprüfte Datei wartet: traeger.csv" in refused.text

    finish_import_run(base, replace(run, state="finished"))
    run_page = _confirm(coordinator, coordinator.get("/import").text)
    assert "Import fertig" in _ended(coordinator, run_page)


def test_the_importer_keeps_its_progress_on_the_run_after_each_batch(
    db: Graph, tmp_path: Path
) -> None:
    shutil.copytree(EXAMPLE_BUNDLE, tmp_path / "bundle")
    parsed, used = parse_input(tmp_path / "bundle", "auto", "b", lookup=graph_areas(db))
    run_id = str(uuid.uuid4())
    seen: list[tuple[int, int, int]] = []

    def progress(done: int, total: int) -> None:
        stored = import_run(db, run_id)
        assert stored is not None
        assert stored.state == "running"
        seen.append((done, total, stored.rows_done))

    report = run_import(
        db, parsed, source="b", format=used, progress=progress, run_id=run_id, batch_size=3
    )
    assert report.run_id == run_id
    assert len(seen) > 5
    total = seen[-1][1]
    assert seen[-1][0] == total
    # What the page reads is the count after the same batch.
    assert all(done == stored for done, _, stored in seen)
    done_run = import_run(db, run_id)
    assert done_run is not None
    assert (done_run.state, done_run.rows_done, done_run.rows_total) == ("finished", total, total)


def test_a_refusal_in_the_background_writes_nothing_and_says_what_to_do(
    coordinator: TestClient, base: Graph
) -> None:
    service = "ID;Angebot;Träger\nneu-angebot;Neues Angebot;caritas-stuttgart\n"
    status, review = _upload(coordinator, "angebote.csv", service.encode(), quelle="bestand")
    assert status == 200
    assert "1 neuer Datensatz" in review
    # Between review and confirmation someone removes the Träger the file names.
    base.query("MATCH (o:Organization {id: 'caritas-stuttgart'}) DETACH DELETE o", write=True)
    before = snapshot(base)

    run_page = _confirm(coordinator, review)
    page = _ended(coordinator, run_page)
    assert snapshot(base) == before  # nothing written, not even an ImportRun
    text = _text(page)
    assert "Import abgelehnt" in text
    assert "Seit der Prüfung hat sich der Bestand geändert" in text
    assert (
        "Nichts wurde importiert. Korrigieren Sie die Datei und laden Sie sie erneut hoch." in text
    )
    assert "angebote.csv 2 Träger" in text
    assert "caritas-stuttgart" in text
    assert 'http-equiv="refresh"' not in page


def test_other_roles_may_not_see_a_run(base: Graph) -> None:
    run = _running_run(base)
    for name in ("fallmanagement", "traeger", "planung"):
        with web_client(base) as client:
            sign_in(client, name)
            assert client.get(f"/import/lauf/{run.id}").status_code == 403, name
    with web_client(base) as client:
        sign_in(client, "koordination")
        assert client.get(f"/import/lauf/{uuid.uuid4()}").status_code == 404


def test_prune_lists_every_record_it_removes_before_the_import(
    coordinator: TestClient, base: Graph
) -> None:
    lines = TRAEGER.splitlines(keepends=True)
    kept = "".join(lines[:3])  # header, Jobcenter, Caritas
    absent = sorted(line.split(";", 1)[0] for line in lines[3:])
    status, review = _upload(
        coordinator, "traeger.csv", kept.encode(), quelle="bestand", entfernen="ja"
    )
    assert status == 200
    text = _text(review)
    assert "Wird entfernt" in text
    for ident in absent:
        assert f"Träger „{ident}“ – wird entfernt" in text
    assert base.query("MATCH (o:Organization) RETURN count(o) AS n")[0]["n"] == len(lines) - 1

    page = _ended(coordinator, _confirm(coordinator, review))
    assert f"{len(absent)} Einträge entfernt" in _text(page)
    left = base.query("MATCH (o:Organization) RETURN o.id AS id ORDER BY id")
    assert [row["id"] for row in left] == ["caritas-stuttgart", "jobcenter-stuttgart"]


def test_without_prune_nothing_is_listed_for_removal(coordinator: TestClient) -> None:
    kept = "".join(TRAEGER.splitlines(keepends=True)[:3])
    status, review = _upload(coordinator, "traeger.csv", kept.encode(), quelle="bestand")
    assert status == 200
    assert "Wird entfernt" not in review


def _square(x: float, y: float) -> dict[str, object]:
    ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_geojson_options_on_the_form_are_used_and_checked(coordinator: TestClient) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"schl": str(n), "titel_lang": f"Gebiet {n}"},
                "geometry": _square(9.1 + n * 0.01, 48.7),
            }
            for n in (1, 2)
        ],
    }
    content = json.dumps(collection).encode()
    # Not found on its own: the page names the field to fill in (and the CLI's option).
    status, page = _upload(coordinator, "gebiete.geojson", content)
    assert status == 400
    assert "bitte „Eigenschaft mit der Id“ (--id-property) angeben" in page

    options = {
        "geo_level": "subdistrict",
        "geo_id_property": "schl",
        "geo_name_property": "titel_lang",
        "geo_id_prefix": "test-",
    }
    status, review = _upload(coordinator, "gebiete.geojson", content, **options)
    assert status == 200, _text(review)[:2000]
    assert "Sozialraum „test-1“" in review
    assert "Sozialraum „test-2“" in review
    assert "2 neue Datensätze" in review
    # The form keeps what was chosen.
    assert 'id="geo_id_property" name="geo_id_property" type="text" value="schl"' in review

    status, refused = _upload(coordinator, "gebiete.geojson", content, geo_level="land")
    assert status == 400
    assert "„Ebene“ (--level): unbekannte Ebene „land“; erlaubt: Stadt (city)" in refused
    status, refused = _upload(coordinator, "traeger.csv", TRAEGER.encode(), geo_id_prefix="x-")
    assert status == 400
    assert "die GeoJSON-Optionen gelten nur für GeoJSON-Dateien" in refused


def test_allowed_values_are_named_with_german_labels_which_are_accepted(
    coordinator: TestClient, base: Graph
) -> None:
    bad = TRAEGER.splitlines()[0] + "\nneu-traeger;Neuer Träger e.V.;irgendwie;;;;\n"
    status, page = _upload(coordinator, "traeger.csv", bad.encode())
    assert status == 400
    assert (
        "erlaubt: öffentlicher Träger (public), freier Träger (nonprofit), "
        "privater Träger (private)" in page
    )
    # A label copied from the message is accepted.
    fixed = bad.replace("irgendwie", "privater Träger")
    status, review = _upload(coordinator, "traeger.csv", fixed.encode(), quelle="bestand")
    assert status == 200
    _ended(coordinator, _confirm(coordinator, review))
    (row,) = base.query("MATCH (o:Organization {id: 'neu-traeger'}) RETURN o.sector AS s")
    assert row["s"] == "private"


def test_the_file_field_has_a_german_label_and_hint(coordinator: TestClient) -> None:
    page = coordinator.get("/import").text
    assert '<label class="kern-label" for="datei">Datei</label>' in page
    assert "Datei auswählen" in page
    assert "Keine Datei ausgewählt" in page


def test_the_importer_refuses_while_another_run_writes(db: Graph, tmp_path: Path) -> None:
    """The CLI's import too: one import at a time per database, nothing written."""
    folder = tmp_path / "b"
    folder.mkdir()
    shutil.copy(EXAMPLE_BUNDLE / "traeger.csv", folder / "traeger.csv")
    run = _running_run(db)
    before = snapshot(db)
    with pytest.raises(ImportBusy, match=r"Es läuft gerade ein anderer Import \(gross\.zip"):
        import_path(db, folder, source="b")
    assert snapshot(db) == before
    finish_import_run(db, replace(run, state="finished"))
    assert import_path(db, folder, source="b").run_id is not None


def test_a_failed_run_says_whether_rows_remain_and_what_to_do(
    coordinator: TestClient, base: Graph
) -> None:
    halfway = replace(
        _running_run(base), state="failed", error="Die Datenbank ist gerade nicht erreichbar."
    )
    finish_import_run(base, halfway)
    text = _text(coordinator.get(f"/import/lauf/{halfway.id}").text)
    assert "Import fehlgeschlagen" in text
    assert "Die Datenbank ist gerade nicht erreichbar." in text
    assert "Bereits geschriebene Datensätze bleiben erhalten" in text
    assert "Der Import setzt dann fort, ohne etwas doppelt anzulegen" in text

    before_writing = replace(_running_run(base), rows_done=0)
    base.query(
        "MATCH (r:ImportRun {id: $id}) SET r.rows_done = 0", {"id": before_writing.id}, write=True
    )
    finish_import_run(base, replace(before_writing, state="interrupted", error="abgebrochen"))
    text = _text(coordinator.get(f"/import/lauf/{before_writing.id}").text)
    assert "Import abgebrochen" in text
    assert "Es wurde nichts gespeichert." in text
