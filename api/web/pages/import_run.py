"""The page of one import run: how far it is while it runs (rows written of all rows, phase),
then its result or what went wrong and what to do.

While the run is active the page refreshes itself: with JavaScript htmx fetches the page every
two seconds and swaps the status part; without, a ``<meta http-equiv=refresh>`` inside
``<noscript>`` reloads it, and an „Aktualisieren“ link is always there. The numbers come from
the ImportRun in the graph (written by the importer after each batch), so a run the CLI
started shows its progress here too. Before the run is recorded (the file is checked again)
and for a refusal, the page reads the job this process keeps (api/web/import_jobs.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.web.data import PageError, require
from api.web.german import plural, zahl
from api.web.import_jobs import JOBS, ImportJob
from api.web.pages.imports import FORMAT_WORDS, RUN_PATH, STATE_WORDS, _local
from api.web.templating import render
from graph import Graph
from graph.imports import ImportRun, import_run
from loaders.errors import Issue
from loaders.importer import settle_lost_runs

REFRESH_SECONDS = 2
PHASE_WORDS = {
    "checking": "Die Datei wird vor dem Schreiben noch einmal geprüft.",
    "writing": "Die Datensätze werden geschrieben.",
    "pruning": "Fehlende Einträge der Quelle werden entfernt.",
    "settling": "Der Import wird abgeschlossen.",
}
RETRY = (
    "Bereits geschriebene Datensätze bleiben erhalten. Laden Sie dieselbe Datei erneut hoch "
    "und importieren Sie sie noch einmal: Der Import setzt dann fort, ohne etwas doppelt "
    "anzulegen."
)
NOTHING_WRITTEN = (
    "Es wurde nichts gespeichert. Laden Sie die Datei erneut hoch; besteht der Fehler weiter, "
    "wenden Sie sich an die Administration."
)


@dataclass(frozen=True, slots=True)
class RunView:
    """What the page shows of a run, whichever of graph and job knows it."""

    id: str
    file: str
    by: str
    state: str  # checking, running, finished, rejected, failed, interrupted
    active: bool
    phase: str
    done: int
    total: int
    result: list[str]
    error: str
    advice: str
    issues: list[Issue]
    more_issues: int

    @property
    def progress_text(self) -> str:
        return f"{zahl(self.done)} von {zahl(self.total)} Zeilen geschrieben"


def _view(run: ImportRun | None, job: ImportJob | None, mine: bool) -> RunView:
    if run is not None:
        return _of_run(run, job)
    assert job is not None
    issues = [replace(i, file=_local(i.file)) for i in job.issues] if mine else []
    if job.state == "rejected":
        error = (
            "Die Datei wurde vor dem Schreiben noch einmal geprüft und abgelehnt: Seit der "
            "Prüfung hat sich der Bestand geändert."
        )
        advice = "Nichts wurde importiert. Korrigieren Sie die Datei und laden Sie sie erneut hoch."
    else:
        error, advice = job.error, NOTHING_WRITTEN
    return RunView(
        id=job.id,
        file=job.file,
        by=job.by,
        state=job.state,
        active=job.active,
        phase=PHASE_WORDS["checking"],
        done=0,
        total=0,
        result=[],
        error=error if not job.active else "",
        advice=advice if not job.active else "",
        issues=issues[:100],
        more_issues=max(0, len(issues) - 100),
    )


def _of_run(run: ImportRun, job: ImportJob | None) -> RunView:
    result: list[str] = []
    error = advice = ""
    if run.state == "finished":
        result = [
            plural(sum(run.created.values()), "neuer Datensatz", "neue Datensätze"),
            plural(sum(run.changed.values()), "geänderter Datensatz", "geänderte Datensätze"),
            plural(
                sum(run.unchanged.values()), "unveränderter Datensatz", "unveränderte Datensätze"
            ),
        ]
        if run.pruned_requested:
            result.append(plural(sum(run.pruned.values()), "Eintrag entfernt", "Einträge entfernt"))
    elif run.state in ("failed", "interrupted"):
        # The job's message is the German one; the run keeps the cause for the CLI's list.
        error = (job.error if job is not None and job.error else run.error) or "unbekannter Fehler"
        advice = RETRY if run.rows_done else NOTHING_WRITTEN
    return RunView(
        id=run.id,
        file=run.file or run.source,
        by=run.by,
        state=run.state,
        active=run.state == "running",
        phase=PHASE_WORDS.get(run.phase, ""),
        done=run.rows_done,
        total=run.rows_total,
        result=result,
        error=error,
        advice=advice,
        issues=[],
        more_issues=0,
    )


def _load(graph: Graph, run_id: str) -> ImportRun | None:
    settle_lost_runs(graph)
    return import_run(graph, run_id)


async def show(request: Request) -> Response:
    principal = require(request, "coordinator", "admin")
    run_id = request.path_params["id"]
    job = JOBS.get(run_id)
    graph: Graph = request.app.state.graph
    run = await run_in_threadpool(_load, graph, run_id)
    if run is None and job is None:
        raise PageError(404, "Import nicht gefunden")
    # A refusal's list names rows of the file: only for the person who imported it.
    mine = job is not None and job.by == principal.subject
    view = _view(run, job, mine)
    return render(
        request,
        "coordination/import_run.html",
        title=f"Import {view.file}",
        run=view,
        states={**STATE_WORDS, "checking": "wird geprüft", "rejected": "abgelehnt"},
        formats=FORMAT_WORDS,
        refresh=REFRESH_SECONDS,
        path=f"{RUN_PATH}/{view.id}",
    )


ROUTES = [Route(RUN_PATH + "/{id}", show)]
