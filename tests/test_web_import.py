"""The import page without a browser: upload, review of the dry run (errors with file, row and
column; changes old → new), confirm, the run in the list; who may; unsafe ZIPs refused."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api.settings import get_settings
from api.web.import_jobs import JOBS
from api.web.uploads import (
    Incoming,
    UploadRefused,
    claim,
    discard,
    release,
    stage,
    uploads_dir,
)
from graph import Graph
from loaders.export import export
from tests.loader_helpers import EXAMPLE_BUNDLE, import_path
from tests.webclient import csrf_of, sign_in, web_client

TRAEGER = (EXAMPLE_BUNDLE / "traeger.csv").read_text("utf-8")
NEW_ROW = "neu-traeger;Neuer Träger e.V.;frei;Familienhilfe;;;\n"
# Row 3 (header = 1) is Caritas: renamed; the new row gets a Trägerart that does not exist.
FIXED = TRAEGER.replace("Caritasverband für Stuttgart e.V.", "Caritas Stuttgart") + NEW_ROW
BAD = FIXED.replace("Neuer Träger e.V.;frei", "Neuer Träger e.V.;irgendwie")


@pytest.fixture
def base(db: Graph, tmp_path: Path) -> Graph:
    """The example Träger in the graph (imported as the CLI would)."""
    folder = tmp_path / "bestand"
    folder.mkdir()
    shutil.copy(EXAMPLE_BUNDLE / "traeger.csv", folder / "traeger.csv")
    import_path(db, folder, source="bestand")
    return db


@pytest.fixture
def coordinator(base: Graph) -> Iterator[TestClient]:
    before = _staged()
    with web_client(base) as client:
        sign_in(client, "koordination")
        yield client
    # Reviewed but never confirmed (a closed tab): the page sweeps those after a day only.
    for token in _staged() - before:
        discard(get_settings().state_dir, token)


def _nodes(graph: Graph) -> int:
    return int(graph.query("MATCH (n) RETURN count(n) AS n")[0]["n"])


def _upload(client: TestClient, *files: tuple[str, bytes], source: str = "") -> str:
    token = csrf_of(client.get("/import").text)
    answer = client.post(
        "/import/pruefen",
        data={"csrf_token": token, "quelle": source},
        files=[("datei", (name, content, "application/octet-stream")) for name, content in files],
    )
    return f"{answer.status_code}\n{answer.text}"


def _zip(members: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return out.getvalue()


def _staged() -> set[str]:
    root = uploads_dir(get_settings().state_dir)
    return {p.name for p in root.iterdir()} if root.is_dir() else set()


def _finished(client: TestClient, run_page: str) -> str:
    """The run's page once its background import has ended."""
    assert JOBS.wait(run_page.rsplit("/", 1)[1], timeout=120)
    answer = client.get(run_page)
    assert answer.status_code == 200
    return answer.text


def _items(html: str, marker: str) -> list[str]:
    """The list items of the list carrying ``marker``."""
    block = html.split(marker, 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"<[^>]+>", "", i).strip() for i in re.findall(r"<li>(.*?)</li>", block, re.S)]


def _cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", html)]


def test_bad_row_is_shown_with_file_row_and_column_and_nothing_is_written(
    coordinator: TestClient, base: Graph
) -> None:
    before, staged_before = _nodes(base), _staged()
    leistungen = (EXAMPLE_BUNDLE / "leistungsbereiche.csv").read_bytes()
    answer = _upload(
        coordinator, ("traeger.csv", BAD.encode()), ("leistungsbereiche.csv", leistungen)
    )
    assert answer.startswith("400\n")
    assert "1 Fehler – nichts wurde importiert" in answer
    assert "Datei korrigieren und erneut hochladen" in answer
    cells = _cells(answer)
    at = cells.index("traeger.csv")
    # file, row (header = 1; the new row is the 6th), column, message
    assert cells[at + 1 : at + 3] == ["6", "Trägerart"]
    assert "Jetzt importieren" not in answer
    assert _nodes(base) == before
    assert _staged() == staged_before  # a refused upload is not kept


def test_fixed_zip_is_reviewed_then_imported_as_the_coordinator(
    coordinator: TestClient, base: Graph
) -> None:
    staged_before = _staged()
    # The same source as before: otherwise every record would change its source.
    answer = _upload(
        coordinator, ("buendel.zip", _zip({"buendel/traeger.csv": FIXED})), source="bestand"
    )
    assert answer.startswith("200\n"), answer[:2000]
    for line in (
        "1 neuer Datensatz",
        "1 geänderter Datensatz",
        "3 unveränderte Datensätze",
        "0 Fehler",
    ):
        assert line in answer
    # The changed Träger with its name old → new, the new one listed.
    assert "Träger „caritas-stuttgart“" in answer
    at = _cells(answer).index("Träger (name)")
    assert _cells(answer)[at + 1 : at + 3] == [
        "Caritasverband für Stuttgart e.V.",
        "Caritas Stuttgart",
    ]
    assert "Träger „neu-traeger“ (traeger.csv, Zeile 6)" in answer
    assert "Jetzt importieren" in answer
    assert base.query("MATCH (o:Organization {id: 'neu-traeger'}) RETURN o") == []
    assert len(_staged() - staged_before) == 1

    token = csrf_of(answer)
    done = coordinator.post("/import/ausfuehren", data={"csrf_token": token})
    assert done.status_code == 303
    run_page = done.headers["location"]
    assert run_page.startswith("/import/lauf/")
    result = _finished(coordinator, run_page)
    assert "Import fertig" in result
    assert _items(result, "data-import-result") == [
        "1 neuer Datensatz",
        "1 geänderter Datensatz",
        "3 unveränderte Datensätze",
    ]
    assert 'http-equiv="refresh"' not in result  # an ended run stops refreshing
    assert _staged() == staged_before  # the staged files are gone
    (row,) = base.query(
        "MATCH (o:Organization {id: 'neu-traeger'}) RETURN o.name AS name, o.source AS source"
    )
    assert row == {"name": "Neuer Träger e.V.", "source": "bestand"}
    (renamed,) = base.query("MATCH (o:Organization {id: 'caritas-stuttgart'}) RETURN o.name AS n")
    assert renamed["n"] == "Caritas Stuttgart"

    listing = coordinator.get("/import").text
    cells = _cells(listing)
    at = cells.index("demo:koordination")
    assert cells[at - 1].startswith("buendel.zip")
    assert cells[at + 1 : at + 5] == ["fertig", "1", "1", "3"]
    assert run_page in listing  # the run links to its page

    # Confirming again: nothing staged any more.
    again = coordinator.post("/import/ausfuehren", data={"csrf_token": token})
    assert again.status_code == 409
    assert "Es liegt keine geprüfte Datei vor" in again.text


def test_unsafe_or_unknown_files_are_refused_at_the_file_field(
    coordinator: TestClient, base: Graph
) -> None:
    before, staged_before = _nodes(base), _staged()
    escaping = _upload(coordinator, ("b.zip", _zip({"../traeger.csv": FIXED})))
    assert escaping.startswith("400\n")
    assert "unzulässigen Pfad „../traeger.csv“" in escaping
    assert 'id="datei-fehler"' in escaping
    absolute = _upload(coordinator, ("b.zip", _zip({"/tmp/traeger.csv": FIXED})))
    assert "unzulässigen Pfad" in absolute
    text = _upload(coordinator, ("notizen.txt", b"hallo"))
    assert "unbekanntes Format" in text
    token = csrf_of(coordinator.get("/import").text)
    nothing = coordinator.post(
        "/import/pruefen",
        data={"csrf_token": token},
        files=[("datei", ("", b"", "application/octet-stream"))],
    )
    assert nothing.status_code == 400
    assert "Wählen Sie eine Datei aus." in nothing.text
    doc = coordinator.get("/import/format")
    assert doc.status_code == 200
    assert doc.headers["content-type"].startswith("text/plain")
    assert "# Import and export formats" in doc.text
    households = (EXAMPLE_BUNDLE / "households.csv").read_bytes()
    refused = _upload(coordinator, ("households.csv", households))
    assert refused.startswith("400\n")
    assert "Haushaltsdaten" in refused
    assert not (Path(get_settings().state_dir) / "traeger.csv").exists()
    assert _nodes(base) == before
    assert _staged() == staged_before


def test_other_roles_may_not_import(base: Graph) -> None:
    for user in ("fallmanagement", "traeger", "planung"):
        with web_client(base) as client:
            sign_in(client, user)
            assert client.get("/import").status_code == 403
            assert client.get("/import/format").status_code == 403
            token = csrf_of(client.get("/").text)
            answer = client.post(
                "/import/pruefen",
                data={"csrf_token": token},
                files=[("datei", ("traeger.csv", FIXED.encode(), "text/csv"))],
            )
            assert answer.status_code == 403
            assert client.post("/import/ausfuehren", data={"csrf_token": token}).status_code == 403


def test_the_upload_has_its_own_larger_size_limit(coordinator: TestClient) -> None:
    token = csrf_of(coordinator.get("/import").text)
    big = b"x" * 1_500_000  # above VERBUND_MAX_REQUEST_BYTES, below VERBUND_MAX_UPLOAD_BYTES
    upload = coordinator.post(
        "/import/pruefen",
        data={"csrf_token": token},
        files=[("datei", ("gross.txt", big, "text/plain"))],
        headers={"accept": "text/html"},
    )
    assert upload.status_code == 400  # read and refused for its type, not for its size
    assert "unbekanntes Format" in upload.text
    elsewhere = coordinator.post(
        "/anmelden",
        data={"csrf_token": token},
        files=[("datei", ("gross.txt", big, "text/plain"))],
        headers={"accept": "text/html"},
    )
    assert elsewhere.status_code == 413
    assert "Eingabe zu groß" in elsewhere.text  # the German page, not JSON


def test_an_upload_is_claimed_once_and_a_large_zip_is_refused(tmp_path: Path) -> None:
    upload = stage(tmp_path, [Incoming("traeger.csv", io.BytesIO(FIXED.encode()))], 10_000)
    assert (upload.path / "traeger.csv").read_text("utf-8") == FIXED
    first = claim(tmp_path, upload.token, upload.file, upload.sha256)
    assert first is not None
    assert first.path.is_dir()
    assert claim(tmp_path, upload.token, upload.file, upload.sha256) is None  # sent twice
    release(tmp_path, upload.token)
    assert claim(tmp_path, upload.token, upload.file, upload.sha256) is not None
    discard(tmp_path, upload.token)
    assert list(uploads_dir(tmp_path).iterdir()) == []
    assert claim(tmp_path, "../../etc", "x", "y") is None

    # 2 000 bytes packed, far more unpacked: refused before anything is unpacked.
    bomb = _zip({"traeger.csv": "a" * 200_000})
    assert len(bomb) < 2_000
    with pytest.raises(UploadRefused, match="entpackt zu groß"):
        stage(tmp_path, [Incoming("b.zip", io.BytesIO(bomb))], 10_000)
    with pytest.raises(UploadRefused, match="zu groß"):
        stage(tmp_path, [Incoming("t.csv", io.BytesIO(b"x" * 10_001))], 10_000)
    assert list(uploads_dir(tmp_path).iterdir()) == []


def test_an_xlsx_workbook_and_hsds_json_are_reviewed_like_a_csv_bundle(
    coordinator: TestClient, base: Graph, tmp_path: Path
) -> None:
    workbook = tmp_path / "verzeichnis.xlsx"
    export(base, "xlsx", workbook, source="bestand")
    answer = _upload(coordinator, ("verzeichnis.xlsx", workbook.read_bytes()), source="bestand")
    assert answer.startswith("200\n"), answer[:2000]
    assert "XLSX-Arbeitsmappe" in answer
    assert "0 neue Datensätze" in answer
    assert "4 unveränderte Datensätze" in answer
    assert "Jetzt importieren" in answer

    hsds = tmp_path / "angebote.json"
    export(base, "hsds", hsds, source="bestand")
    answer = _upload(coordinator, ("angebote.json", hsds.read_bytes()), source="bestand")
    assert answer.startswith("200\n"), answer[:3000]
    assert "HSDS-JSON" in answer
    assert "0 Fehler" in answer
