"""Import (Netzwerkkoordination): upload a file, see the review of its dry run, confirm.

The page runs the same loaders as ``verbund import`` (parse, validate, plan; nothing written
before the coordinator confirms) with the signed-in person as actor and ``by`` of the
ImportRun. Between review and confirmation the upload waits under the state directory
(api/web/uploads.py); the session remembers only its token, name and digest.

Household-level tables (Haushalte, Bedarfe, Einwilligungen, Überleitungen) are refused for
every role but ``admin``: the coordinator's role has no access to household data in GraphQL
either (schema/policy.py), and an import must not be a way around that.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from api.settings import PROJECT_ROOT
from api.web.data import PageError, require
from api.web.forms import Errors, read_form, text
from api.web.german import plural
from api.web.import_jobs import JOBS, ImportBusy
from api.web.import_options import (
    GEO_ERROR,
    GEO_FIELDS,
    LEVEL_CHOICES,
    PRUNE,
    REPAIR,
    ImportOptions,
    read_options,
)
from api.web.session import session_of
from api.web.templating import render
from api.web.uploads import (
    ACCEPTED,
    Incoming,
    Staged,
    UploadRefused,
    claim,
    discard,
    release,
    stage,
)
from graph import Graph, audit
from graph.analysis.precompute import Precompute
from graph.imports import ImportRun, import_runs
from loaders.errors import ImportRejected, Issue, LoaderError
from loaders.formats import graph_areas, graph_directory, parse_input
from loaders.importer import ImportReport, settle_lost_runs
from loaders.importer import run_import as _run_import
from loaders.provenance import ImportOrigin
from loaders.review import ImportReview, RecordReview
from loaders.tabular.reader import ParsedBundle
from loaders.tabular.tables import german_header
from schema.policy_audit import actor_of
from schema.principal import Principal

UPLOAD_PATH = "/import/pruefen"
CONFIRM_PATH = "/import/ausfuehren"
RUN_PATH = "/import/lauf"
FORMAT_DOC = PROJECT_ROOT / "docs" / "import-format.md"
SESSION_KEY = "import"
MAX_FILES = 30
MAX_SHOWN = 100
RUNS_SHOWN = 20
# Rows per write transaction of a web import: smaller than the CLI's, so the page's progress
# moves in steps a person sees (one small progress write per batch).
WEB_BATCH = 1_000
PURPOSE = "Pflege des Verzeichnisses (Import über die Weboberfläche)"
HOUSEHOLD_TABLES = frozenset({*audit.HOUSEHOLD_KINDS, "referral_events"})

STATE_WORDS = {
    "running": "läuft",
    "finished": "fertig",
    "failed": "fehlgeschlagen",
    "interrupted": "abgebrochen",
}
FORMAT_WORDS = {
    "csv": "CSV-Bündel",
    "xlsx": "XLSX-Arbeitsmappe",
    "hsds": "HSDS-JSON",
    "geojson": "GeoJSON-Flächen",
}
LABEL_WORDS = {
    "Area": "Sozialraum",
    "Category": "Leistungsbereich",
    "Organization": "Träger",
    "Service": "Angebot",
    "Location": "Standort",
    "Agreement": "Kooperationsvereinbarung",
    "Network": "Verbund",
    "Household": "Haushalt",
    "Need": "Bedarf",
    "Consent": "Einwilligung",
    "Referral": "Überleitung",
}


@dataclass(frozen=True, slots=True)
class Shown:
    """A capped list for the page and how many more there are."""

    items: list[Any]
    more: int


def _capped(items: list[Any]) -> Shown:
    return Shown(items[:MAX_SHOWN], max(0, len(items) - MAX_SHOWN))


@dataclass(frozen=True, slots=True)
class ReviewPage:
    """What the review shows: the counts in words, errors, changes, new records."""

    file: str
    source: str
    format: str
    counts: list[str]
    errors: Shown
    warnings: Shown
    changed: Shown
    created: Shown
    unchanged: int
    pruning: bool
    pruned: Shown

    @property
    def ready(self) -> bool:
        return not self.errors.items


def counts_in_words(counts: dict[str, int]) -> list[str]:
    """``3 neue``, ``1 geänderter``, … (Datensätze) with the right German ending."""
    return [
        plural(counts["created"], "neuer Datensatz", "neue Datensätze"),
        plural(counts["changed"], "geänderter Datensatz", "geänderte Datensätze"),
        plural(counts["unchanged"], "unveränderter Datensatz", "unveränderte Datensätze"),
        plural(counts["errors"], "Fehler", "Fehler"),
    ]


def review_page(review: ImportReview, file: str, pruning: bool = False) -> ReviewPage:
    def local(issue: Issue) -> Issue:
        return replace(issue, file=_local(issue.file))

    def record(r: RecordReview) -> RecordReview:
        return replace(r, file=_local(r.file) if r.file else r.file)

    return ReviewPage(
        file=file,
        source=review.source,
        format=FORMAT_WORDS.get(review.format, review.format),
        counts=counts_in_words(review.counts()),
        errors=_capped([local(i) for i in review.errors]),
        warnings=_capped([local(i) for i in review.warnings]),
        changed=_capped([record(r) for r in review.of("changed")]),
        created=_capped([record(r) for r in review.of("created")]),
        unchanged=review.counts()["unchanged"],
        pruning=pruning,
        pruned=_capped(list(review.pruned)),
    )


def field_label(table: str, field: str) -> str:
    """``Träger (name)``: the German column name people write, and the field's own name."""
    german = german_header(table, field)
    return f"{german} ({field})" if german and german != field else field


def _local(file: str) -> str:
    """``bundle/traeger.csv`` → ``traeger.csv``: the staging folder means nothing to people."""
    return file.removeprefix("bundle/")


def household_issues(principal: Principal, parsed: ParsedBundle) -> list[Issue]:
    """Household-level tables in the upload, for a role that may not write them."""
    if principal.role == "admin":
        return []
    issues = []
    for table in sorted(parsed.tables & HOUSEHOLD_TABLES):
        origins = parsed.origins.get(table) or []
        file = origins[0].file if origins else table
        issues.append(
            Issue(
                file,
                None,
                None,
                "Haushaltsdaten (Haushalte, Bedarfe, Einwilligungen, Überleitungen) können hier "
                "nicht importiert werden. Entfernen Sie diese Tabelle und laden Sie erneut hoch; "
                "Haushaltsdaten importiert die Administration.",
            )
        )
    return issues


def _source_of(staged_upload: Staged, given: str) -> str:
    """The source name every imported record keeps: given, else the file's name (a ZIP's
    without ``.zip``, as the folder it holds)."""
    if given:
        return given
    name = staged_upload.file
    if name.lower().endswith(".zip"):
        return PurePosixPath(name).stem
    return name if not name.endswith("CSV-Dateien") else "hochgeladen"


def _import(
    graph: Graph,
    upload: Staged,
    source: str,
    principal: Principal,
    options: ImportOptions,
    *,
    dry_run: bool,
    run_id: str | None = None,
) -> ImportReport:
    """Parse, check and (unless ``dry_run``) write; ``ImportRejected`` with every issue."""
    parsed, used = parse_input(
        upload.path,
        "auto",
        source,
        lookup=graph_areas(graph),
        geojson=options.geojson(),
        directory=graph_directory(graph),
    )
    refused = household_issues(principal, parsed)
    if refused:
        raise ImportRejected(parsed.issues + refused)
    origin = ImportOrigin(by=principal.subject, file=upload.file, sha256=upload.sha256)
    return _run_import(
        graph,
        parsed,
        source=source,
        format=used,
        dry_run=dry_run,
        origin=None if dry_run else origin,
        actor=actor_of(principal),
        purpose=PURPOSE,
        prune=options.prune,
        repair_geometry=options.repair_geometry,
        run_id=run_id,
        batch_size=WEB_BATCH,
    )


def _runs(graph: Graph) -> list[ImportRun]:
    settle_lost_runs(graph)
    return import_runs(graph, None, RUNS_SHOWN)


def _graph(request: Request) -> Graph:
    graph: Graph = request.app.state.graph
    return graph


def _state_dir(request: Request) -> Path:
    return Path(request.app.state.settings.state_dir)


async def _form_page(
    request: Request,
    errors: Errors | None = None,
    source: str = "",
    status: int = 200,
    options: ImportOptions | None = None,
) -> Response:
    runs = await run_in_threadpool(_runs, _graph(request))
    remembered = session_of(request).data.get(SESSION_KEY)
    return render(
        request,
        "coordination/import.html",
        status=status,
        title="Import",
        errors=errors or Errors(),
        source=source,
        runs=runs,
        states=STATE_WORDS,
        formats=FORMAT_WORDS,
        waiting=remembered.get("file") if isinstance(remembered, dict) else None,
        confirm_path=CONFIRM_PATH,
        **_form_context(options),
    )


def _form_context(options: ImportOptions | None) -> dict[str, Any]:
    """What the upload form needs besides errors and source."""
    return {
        "accepted": ",".join(ACCEPTED),
        "upload_path": UPLOAD_PATH,
        "options": options or ImportOptions(),
        "geo_fields": GEO_FIELDS,
        "geo_error": GEO_ERROR,
        "levels": LEVEL_CHOICES,
        "prune_field": PRUNE,
        "repair_field": REPAIR,
    }


async def overview(request: Request) -> Response:
    require(request, "coordinator", "admin")
    return await _form_page(request)


async def check(request: Request) -> Response:
    """Upload → staged → dry run → review (nothing written)."""
    principal = require(request, "coordinator", "admin")
    settings = request.app.state.settings
    form = await read_form(request, max_files=MAX_FILES)
    source = text(form, "quelle", 200)
    errors = Errors()
    options = read_options(form, errors)
    if errors:
        return await _form_page(request, errors, source, 400, options)
    files = [
        Incoming(item.filename, item.file)
        for item in form.getlist("datei")
        if isinstance(item, UploadFile) and item.filename
    ]
    session = session_of(request)
    _forget(request)
    try:
        upload = await run_in_threadpool(
            stage, _state_dir(request), files, settings.max_upload_bytes
        )
    except UploadRefused as exc:
        return await _refused(request, str(exc), source, options=options)
    name = _source_of(upload, source)
    try:
        report = await run_in_threadpool(
            _import, _graph(request), upload, name, principal, options, dry_run=True
        )
    except ImportRejected as exc:
        discard(_state_dir(request), upload.token)
        rejected = ImportReview(name, "", True, errors=tuple(exc.issues))
        return _review(request, rejected, upload.file, options, status=400)
    except LoaderError as exc:
        discard(_state_dir(request), upload.token)
        return await _refused(
            request, f"{exc} – bitte Datei prüfen und erneut hochladen.", source, options=options
        )
    session.data[SESSION_KEY] = {
        "token": upload.token,
        "file": upload.file,
        "sha256": upload.sha256,
        "source": name,
        "options": options.as_data(),
    }
    session.changed = True
    return _review(request, report.review, upload.file, options)


async def confirm(request: Request) -> Response:
    """Start the staged upload's import in the background, as the signed-in person; then
    its page, which shows how far it is."""
    principal = require(request, "coordinator", "admin")
    await read_form(request)
    remembered = session_of(request).data.get(SESSION_KEY)
    upload = None
    if isinstance(remembered, dict):
        upload = claim(
            _state_dir(request),
            str(remembered.get("token", "")),
            str(remembered.get("file", "")),
            str(remembered.get("sha256", "")),
        )
    if upload is None or not isinstance(remembered, dict):
        _forget(request)
        return await _refused(
            request,
            "Es liegt keine geprüfte Datei vor (schon importiert oder abgelaufen). Laden Sie "
            "die Datei erneut hoch.",
            status=409,
        )
    source = str(remembered.get("source", ""))
    options = ImportOptions.of_data(remembered.get("options"))
    graph, state_dir, staged = _graph(request), _state_dir(request), upload

    precompute: Precompute | None = getattr(request.app.state, "precompute", None)

    def work(run_id: str) -> ImportReport:
        try:
            return _import(graph, staged, source, principal, options, dry_run=False, run_id=run_id)
        finally:
            if precompute is not None:
                precompute.wake()  # the import's writes are over: warm the analyses now

    try:
        job = await run_in_threadpool(
            JOBS.start,
            graph,
            upload.file,
            principal.subject,
            work,
            lambda: discard(state_dir, staged.token),
        )
    except ImportBusy as exc:
        # The checked upload stays for a later „Jetzt importieren“.
        release(state_dir, upload.token)
        return await _refused(request, str(exc), status=409)
    except BaseException:
        # E.g. the database was unreachable: the same upload can be confirmed again.
        release(state_dir, upload.token)
        raise
    # The background import owns the files now; the session forgets them.
    session_of(request).data.pop(SESSION_KEY, None)
    session_of(request).changed = True
    return RedirectResponse(f"{RUN_PATH}/{job.id}", status_code=303)


def _forget(request: Request) -> None:
    """Drop the remembered upload (and its files)."""
    session = session_of(request)
    remembered = session.data.pop(SESSION_KEY, None)
    if isinstance(remembered, dict):
        discard(_state_dir(request), str(remembered.get("token", "")))
        session.changed = True


async def _refused(
    request: Request,
    message: str,
    source: str = "",
    status: int = 400,
    options: ImportOptions | None = None,
) -> Response:
    errors = Errors()
    errors.add("datei", message)
    return await _form_page(request, errors, source, status, options)


def _review(
    request: Request,
    review: ImportReview,
    file: str,
    options: ImportOptions,
    status: int = 200,
) -> Response:
    return render(
        request,
        "coordination/import_review.html",
        status=status,
        title="Import prüfen",
        page=review_page(review, file, options.prune),
        labels=LABEL_WORDS,
        field_label=field_label,
        errors=Errors(),
        source=review.source,
        confirm_path=CONFIRM_PATH,
        **_form_context(options),
    )


async def format_doc(request: Request) -> Response:
    """The description of the file formats (docs/import-format.md) as it is in the repository."""
    require(request, "coordinator", "admin")
    if not FORMAT_DOC.is_file():
        raise PageError(404)
    # As plain text: browsers show it instead of offering a download (Markdown reads well).
    return PlainTextResponse(FORMAT_DOC.read_text("utf-8"))


ROUTES = [
    Route("/import", overview),
    Route("/import/format", format_doc),
    Route(UPLOAD_PATH, check, methods=["POST"]),
    Route(CONFIRM_PATH, confirm, methods=["POST"]),
]
