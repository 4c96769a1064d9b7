"""A larger import in Chromium: the coordinator confirms a bundle of many thousand Träger, sees
the run's page with its progress (refreshed by htmx) and then the result, without reloading."""

from __future__ import annotations

import re
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from graph import Graph
from loaders import importer
from loaders.demo import Demo
from tests.browser.helpers import BrowserWatch, assert_accessible, login, screenshot
from tests.loader_helpers import import_path, snapshot

SOURCE = "browser-gross"
ROWS = 20_000


@pytest.fixture
def large_bundle(tmp_path: Path, graph: Graph) -> Iterator[Path]:
    lines = ["ID;Träger;Trägerart;Beschreibung"]
    lines += [f"gross-{n:05d};Träger {n};frei;Beratung im Stadtteil {n % 97}" for n in range(ROWS)]
    path = tmp_path / "gross.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("traeger.csv", "\n".join(lines) + "\n")
    yield path
    # The demo graph stays as the other browser tests expect it.
    graph.query("MATCH (n {source: $s}) DETACH DELETE n", {"s": SOURCE}, write=True)
    graph.query("MATCH (r:ImportRun {source: $s}) DETACH DELETE r", {"s": SOURCE}, write=True)


@pytest.fixture
def held_after_first_batch(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The import (a thread of the live server) waits after its first written batch until the
    test has seen the progress: on a fast machine 20,000 rows can otherwise be written before
    the page's first refresh, and the bar would never show."""
    seen = threading.Event()
    original = importer.record_progress

    def record(graph: Graph, run_id: str, done: int, total: int, phase: Any) -> None:
        original(graph, run_id, done, total, phase)
        if phase == "writing" and 0 < done < total:
            seen.wait(timeout=120)

    monkeypatch.setattr(importer, "record_progress", record)
    yield seen
    seen.set()


def test_a_large_import_shows_progress_then_the_result(
    page: Page,
    live_server: str,
    demo: Demo,
    graph: Graph,
    watch: BrowserWatch,
    large_bundle: Path,
    held_after_first_batch: threading.Event,
) -> None:
    login(page, live_server, "koordination")
    page.goto(f"{live_server}/import")
    # The German file button stands where the browser's own wording would be.
    expect(page.get_by_text("Datei auswählen", exact=True)).to_be_visible()
    page.get_by_label("Datei", exact=True).set_input_files(large_bundle)
    expect(page.get_by_text("gross.zip", exact=True)).to_be_visible()
    page.get_by_label("Quelle").fill(SOURCE)
    page.get_by_text("Optionen für GeoJSON-Flächen").click()
    screenshot(page, "import-formular")
    assert_accessible(page)
    page.get_by_role("button", name="Datei prüfen").click()
    expect(page.locator("[data-import-counts]")).to_contain_text(
        "20.000 neue Datensätze", timeout=120_000
    )

    page.get_by_role("button", name="Jetzt importieren").click()
    page.wait_for_url(f"{live_server}/import/lauf/*")
    expect(page.get_by_role("heading", name="Der Import läuft")).to_be_visible()
    progress = page.locator("#fortschritt")
    # The progress bar appears and moves while the rows are written (htmx swaps the part).
    expect(progress).to_be_visible(timeout=120_000)
    label = page.locator("label[for=fortschritt]")
    expect(label).to_contain_text("von 20.000 Zeilen geschrieben")
    # Rows already written, swapped in by polling (no reload): the number moves.
    expect(label).to_have_text(re.compile(r"^[1-9][0-9.]* von 20\.000 Zeilen"), timeout=60_000)
    screenshot(page, "import-laeuft")
    assert_accessible(page)
    held_after_first_batch.set()

    expect(page.locator("[data-import-result]")).to_contain_text(
        "20.000 neue Datensätze", timeout=180_000
    )
    expect(page.get_by_role("status")).to_contain_text("Import fertig")
    screenshot(page, "import-ergebnis")
    assert_accessible(page)
    (row,) = graph.query("MATCH (o:Organization {source: $s}) RETURN count(o) AS n", {"s": SOURCE})
    assert row["n"] == ROWS


def test_prune_is_reviewed_per_record_and_a_refusal_in_the_background_says_what_to_do(
    page: Page, live_server: str, demo: Demo, graph: Graph, watch: BrowserWatch, tmp_path: Path
) -> None:
    source = "browser-entfernen"
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "traeger.csv").write_text(
        "ID;Träger;Trägerart\nbt-eins;Träger Eins;frei\nbt-zwei;Träger Zwei;privat\n", "utf-8"
    )
    import_path(graph, folder, source=source)
    try:
        login(page, live_server, "koordination")
        # Prune: the file lacks „bt-zwei“; the review names it before anything happens.
        smaller = tmp_path / "traeger.csv"
        smaller.write_text("ID;Träger;Trägerart\nbt-eins;Träger Eins;frei\n", "utf-8")
        page.goto(f"{live_server}/import")
        page.get_by_label("Datei", exact=True).set_input_files(smaller)
        page.get_by_label("Quelle").fill(source)
        page.get_by_label("Einträge löschen, die in der Datei fehlen").check()
        page.get_by_role("button", name="Datei prüfen").click()
        expect(page.locator("[data-import-pruned]")).to_have_text(
            "Träger „bt-zwei“ – wird entfernt"
        )
        screenshot(page, "import-entfernen")
        assert_accessible(page)

        # A service of „bt-eins“, which is removed between review and confirmation.
        service = tmp_path / "angebote.csv"
        service.write_text("ID;Angebot;Träger\nbt-angebot;Ein Angebot;bt-eins\n", "utf-8")
        page.goto(f"{live_server}/import")
        page.get_by_label("Datei", exact=True).set_input_files(service)
        page.get_by_label("Quelle").fill(source)
        page.get_by_role("button", name="Datei prüfen").click()
        expect(page.locator("[data-import-counts]")).to_contain_text("1 neuer Datensatz")
        graph.query("MATCH (o:Organization {id: 'bt-eins'}) DETACH DELETE o", write=True)
        before = snapshot(graph)
        page.get_by_role("button", name="Jetzt importieren").click()
        page.wait_for_url(f"{live_server}/import/lauf/*")
        expect(page.locator("[data-import-error]")).to_contain_text(
            "Seit der Prüfung hat sich der Bestand geändert", timeout=60_000
        )
        expect(page.get_by_role("alert").first).to_contain_text("Import abgelehnt")
        expect(page.locator("table tbody tr").first).to_contain_text("bt-eins")
        screenshot(page, "import-abgelehnt")
        assert_accessible(page)
        assert snapshot(graph) == before
    finally:
        graph.query("MATCH (n {source: $s}) DETACH DELETE n", {"s": source}, write=True)
