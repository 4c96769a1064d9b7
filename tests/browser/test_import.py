"""The coordinator's import in Chromium: a file with one bad row shows that row's error and
writes nothing; the corrected file is reviewed (old → new) and imported, and the run is listed."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from graph import Graph
from loaders.demo import Demo
from tests.browser.helpers import BrowserWatch, assert_accessible, login, screenshot

HEADER = "ID;Träger;Trägerart\n"


def _file(folder: Path, rows: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "traeger.csv"
    path.write_text(HEADER + rows, "utf-8")
    return path


def test_upload_error_then_fixed_upload_then_import(
    page: Page, live_server: str, demo: Demo, graph: Graph, watch: BrowserWatch, tmp_path: Path
) -> None:
    # The review of a refused file answers 400 on purpose; Chromium logs that.
    watch.allow(r"status of 400")
    caritas = next(o for o in demo.bundle.organizations if o.id == "caritas-stuttgart")
    sector = {"public": "öffentlich", "nonprofit": "frei", "private": "privat"}[caritas.sector]
    renamed = f"caritas-stuttgart;Caritas Stuttgart;{sector}\n"
    bad = _file(tmp_path / "falsch", renamed + "neu-traeger;Neuer Träger e.V.;irgendwie\n")
    fixed = _file(tmp_path / "richtig", renamed + "neu-traeger;Neuer Träger e.V.;frei\n")
    before = graph.query("MATCH (n) RETURN count(n) AS n")[0]["n"]

    login(page, live_server, "koordination")
    page.goto(f"{live_server}/import")
    page.get_by_label("Datei", exact=True).set_input_files(bad)
    page.get_by_label("Quelle").fill(caritas.source)
    page.get_by_role("button", name="Datei prüfen").click()
    expect(page.get_by_role("heading", level=2).first).to_contain_text(
        "1 Fehler – nichts wurde importiert"
    )
    row = page.locator("table tbody tr").first
    expect(row).to_contain_text("traeger.csv")
    expect(row.locator("td").nth(1)).to_have_text("3")
    expect(row.locator("td").nth(2)).to_have_text("Trägerart")
    expect(page.get_by_role("button", name="Jetzt importieren")).to_have_count(0)
    screenshot(page, "import-fehler")
    assert_accessible(page)
    assert graph.query("MATCH (n) RETURN count(n) AS n")[0]["n"] == before

    page.get_by_label("Datei", exact=True).set_input_files(fixed)
    page.get_by_label("Quelle").fill(caritas.source)
    page.get_by_role("button", name="Datei prüfen").click()
    result = page.locator("[data-import-counts]")
    expect(result).to_contain_text("1 neuer Datensatz")
    expect(result).to_contain_text("1 geänderter Datensatz")
    changed = page.locator("#geaendert + div table tbody tr").first
    expect(changed).to_contain_text("Caritasverband für Stuttgart e.V.")
    expect(changed).to_contain_text("Caritas Stuttgart")
    screenshot(page, "import-pruefung")
    assert_accessible(page)

    page.get_by_role("button", name="Jetzt importieren").click()
    page.wait_for_url(f"{live_server}/import/lauf/*")
    expect(page.locator("[data-import-result]")).to_contain_text(
        "1 neuer Datensatz", timeout=60_000
    )
    expect(page.get_by_role("status").first).to_contain_text("Import fertig")
    page.get_by_role("link", name="Zurück zum Import").click()
    newest = page.locator("table tbody tr").first
    expect(newest).to_contain_text("demo:koordination")
    expect(newest).to_contain_text("fertig")
    screenshot(page, "import-fertig")
    assert_accessible(page)
    (row_found,) = graph.query("MATCH (o:Organization {id: 'neu-traeger'}) RETURN o.name AS n")
    assert row_found["n"] == "Neuer Träger e.V."
