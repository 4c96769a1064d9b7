"""A larger import in Chromium: the coordinator confirms a bundle of many thousand Träger, sees
the run's page with its progress (refreshed by htmx) and then the result, without reloading."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from graph import Graph
from loaders.demo import Demo
from tests.browser.helpers import BrowserWatch, assert_accessible, login, screenshot

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


def test_a_large_import_shows_progress_then_the_result(
    page: Page, live_server: str, demo: Demo, graph: Graph, watch: BrowserWatch, large_bundle: Path
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

    expect(page.locator("[data-import-result]")).to_contain_text(
        "20.000 neue Datensätze", timeout=180_000
    )
    expect(page.get_by_role("status")).to_contain_text("Import fertig")
    screenshot(page, "import-ergebnis")
    assert_accessible(page)
    (row,) = graph.query("MATCH (o:Organization {source: $s}) RETURN count(o) AS n", {"s": SOURCE})
    assert row["n"] == ROWS
