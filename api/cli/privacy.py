"""Data protection commands: ``verbund retention apply``, ``verbund audit export``,
``verbund pseudonym``."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

import click

from api.cli._common import open_graph
from api.settings import get_settings
from graph import Graph, audit
from graph.idempotency import expire_keys
from graph.model import HOUSEHOLD_LEVEL
from graph.pseudonym import PseudonymError, pseudonym
from graph.retention import apply_retention, expire_audit_events
from loaders.values import formula_safe


def months_before(moment: datetime, months: int) -> datetime:
    """The same day ``months`` calendar months earlier (clamped to the month's last day)."""
    year, month = divmod(moment.year * 12 + (moment.month - 1) - months, 12)
    month += 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _record_deletion(graph: Graph, operation: str, purpose: str, records: list[str]) -> None:
    """Record a deletion the system made itself (an admin action without a person), through
    the audit gate like every other access."""
    events = audit.events_for(
        audit.SYSTEM, action="delete", operation=operation, purpose=purpose, records=records
    )
    audit.gate(graph, events, "die Löschung ist erfolgt, aber nicht im Protokoll vermerkt")


@click.group("retention")
def retention() -> None:
    """Löschfristen für Haushalts-, Überleitungs- und Einwilligungsdaten."""


@retention.command("apply")
@click.option("--dry-run", is_flag=True, help="Nur auflisten, was gelöscht würde.")
@click.option(
    "--months",
    type=click.IntRange(min=1),
    default=None,
    help="Frist in Monaten nach Abschluss der letzten Überleitung "
    "(Standard: VERBUND_RETENTION_MONTHS, sonst 24).",
)
@click.option(
    "--audit-months",
    type=click.IntRange(min=1),
    default=None,
    help="Aufbewahrung des Zugriffsprotokolls in Monaten "
    "(Standard: VERBUND_AUDIT_RETENTION_MONTHS, sonst 24).",
)
def apply(dry_run: bool, months: int | None, audit_months: int | None) -> None:
    """Fällige Daten löschen; Zählwerte für die Sozialplanung bleiben erhalten.

    Auch Protokolleinträge, die älter als ihre Aufbewahrungsfrist sind, werden gelöscht.
    """
    settings = get_settings()
    period = months or settings.retention_months
    audit_period = audit_months or settings.audit_retention_months
    now = datetime.now(UTC)
    cutoff = months_before(now, period)
    audit_cutoff = months_before(now, audit_period)

    def deletion(households: Sequence[str]) -> list[audit.AuditEvent]:
        # Committed with the deletion itself (graph/audit_unit.py).
        return audit.events_for(
            audit.SYSTEM,
            action="delete",
            operation="retention apply",
            purpose=f"Löschfrist {period} Monate",
            records=[f"Household:{h}" for h in households],
        )

    with open_graph() as graph:
        report = apply_retention(graph, cutoff, dry_run=dry_run, entries=deletion)
        expired = expire_audit_events(graph, audit_cutoff, dry_run=dry_run)
        # Idempotency keys hold answers (with pseudonyms) only for their own short period.
        keys = expire_keys(graph, now, dry_run=dry_run)
        if not dry_run and expired.events:
            # The run itself is recorded after the deletion, so it outlives it.
            _record_deletion(
                graph,
                "retention apply audit",
                f"Aufbewahrungsfrist Protokoll {audit_period} Monate: "
                f"{expired.events} Einträge vor {audit_cutoff:%Y-%m-%d} gelöscht",
                [],
            )
    verb = "Würde löschen" if dry_run else "Gelöscht"
    click.echo(f"Frist: {period} Monate nach der letzten abgeschlossenen Überleitung")
    click.echo(f"Stichtag: {cutoff:%Y-%m-%d}")
    click.echo(f"{verb}:")
    for label in (*HOUSEHOLD_LEVEL, "ReferralEvent"):
        click.echo(f"  {label:<14} {report.removed.get(label, 0):>8}")
    if dry_run:
        for household in report.households:
            click.echo(f"  - {household}")
    else:
        click.echo(
            f"Für die Sozialplanung gezählt: {report.aggregated_referrals} Überleitungen "
            f"in {report.aggregate_groups} Gruppen (ReferralAggregate)."
        )
    click.echo(
        f"Zugriffsprotokoll: Frist {audit_period} Monate, Stichtag {audit_cutoff:%Y-%m-%d}; "
        f"{verb.lower()} {expired.events} Einträge"
        + (f" (ältester vom {expired.oldest:%Y-%m-%d})" if expired.oldest else "")
        + "."
    )
    click.echo(f"Abgelaufene Idempotency-Keys: {verb.lower()} {keys}.")


@click.group("audit")
def audit_group() -> None:
    """Zugriffsprotokoll (nur lesen und exportieren; es ist nicht änderbar)."""


@audit_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl")
def export(fmt: str) -> None:
    """Das ganze Protokoll, älteste Einträge zuerst, nach stdout."""
    fields = [
        "id",
        "at",
        "subject",
        "role",
        "organization_id",
        "auth_method",
        "action",
        "operation",
        "purpose",
        "records",
        "reason",
    ]
    writer = csv.writer(sys.stdout) if fmt == "csv" else None
    if writer is not None:
        writer.writerow(fields)
    with open_graph() as graph:
        for event in audit.export_events(graph):
            row = {
                "id": event.id,
                "at": event.at.isoformat(),
                "subject": event.subject,
                "role": event.role,
                "organization_id": event.organization_id,
                "auth_method": event.auth_method,
                "action": event.action,
                "operation": event.operation,
                "purpose": event.purpose,
                "records": list(event.records),
                "reason": event.reason,
            }
            if writer is not None:
                # Subjects and operations come from outside (token names, OIDC claims):
                # formula-safe like every CSV/XLSX export.
                row["records"] = " ".join(event.records)
                writer.writerow([formula_safe(str(row[k] or "")) for k in fields])
            else:
                click.echo(json.dumps(row, ensure_ascii=False))


@click.command("pseudonym")
@click.argument("case_number")
@click.option("--office", default="", help="Die führende Stelle, z. B. jobcenter-stuttgart")
def pseudonym_command(case_number: str, office: str) -> None:
    """Pseudonym eines Aktenzeichens (mit VERBUND_PSEUDONYM_SECRET)."""
    secret = get_settings().pseudonym_secret
    try:
        click.echo(pseudonym(case_number, secret.get_secret_value() if secret else "", office))
    except PseudonymError as exc:
        raise click.ClickException(str(exc)) from exc
