"""Access policies: the one place that decides who may resolve which field, and what they see.

Every field of ``Query`` and ``Mutation`` and every field of a household-level type declares a
``Policy`` (``tests/test_policy_walk.py`` walks the schema and fails on a field without one):

    @strawberry.field(description="…", extensions=[anyone()])
    @strawberry.mutation(description="…", extensions=[directory_write()])

and household-level types declare their label once, which puts an object guard on each field:

    @household_level("Referral", categories={"history": "hilfeverlauf"})
    @strawberry.type
    class Referral: ...

The policy enforces, in this order: an authenticated caller; an allowed role; the field's
guard (object visibility, arguments that must name the caller's own organization); then, on
the result, it hides household-level records outside the caller's visibility (nested fields
and filters included) and, for aggregates, suppresses every count below ``MIN_COUNT``. It
also collects what was touched and what was refused, and why; ``audit_request``
(``schema/policy_audit.py``) writes the request's events through the audit gate.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

from strawberry.extensions import FieldExtension
from strawberry.types.base import StrawberryList, StrawberryOptional
from strawberry.types.field import StrawberryField

from graph.audit_unit import auditing
from graph.disclosure import is_small
from graph.model import HOUSEHOLD_LEVEL
from graph.records import CONSENT_DATA_CATEGORIES
from graph.scope import (
    Visibility,
    household_is_taken,
    receiving_visibility,
    referring_visibility,
    visibility_of,
)
from schema.context import Context, Info
from schema.policy_audit import write_audit
from schema.principal import ROLES, AccessDenied, Principal, Role, Unauthenticated
from schema.problems import NotAllowed, NotFound, Problem
from schema.purpose import declared_purpose

# Labels of household-level records (Sozialdaten): nobody without a household role sees them.
HOUSEHOLD_LABELS: frozenset[str] = frozenset({*HOUSEHOLD_LEVEL, "ReferralEvent"})
HOUSEHOLD_ROLES: frozenset[Role] = frozenset({"admin", "caseworker", "partner"})

# Consent data categories (Datenkategorien einer Einwilligung) a partner may receive: the one
# vocabulary in graph/records.py, which imports and the API validate against.
DATA_CATEGORIES: dict[str, str] = {t.code: t.description for t in CONSENT_DATA_CATEGORIES}
# Earlier names, still accepted in declarations.
_CATEGORY_ALIASES: dict[str, str] = {
    "wohnort": "stammdaten",
    "bedarf": "bedarfslage",
    "verlauf": "hilfeverlauf",
}

# Integer attributes of aggregate results that are not counts of people.
NOT_COUNTS: frozenset[str] = frozenset(
    {"level", "distance", "steps", "year", "month", "rank", "version", "threshold", "min_count"}
)


class Refused(AccessDenied):
    """A refusal by a policy. The caller sees only the message (never whether a record
    exists); the audit records ``reason`` (a code), the record and the ``explanation``."""

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        record: str | None = None,
        explanation: str | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.record = record
        self.explanation = explanation or message


def not_visible(
    principal: Principal, record: str, message: str = "Datensatz nicht gefunden oder nicht erlaubt."
) -> Refused:
    """A household-level record outside the caller's visibility, with the reason its role
    implies: a partner sees only what a consent in force shares with it, a caseworker only
    the cases of its own organization."""
    if principal.role == "partner":
        return Refused(
            message,
            reason="NO_CONSENT",
            record=record,
            explanation="Keine gültige Einwilligung teilt den Datensatz mit der eigenen "
            "Organisation.",
        )
    return Refused(
        message,
        reason="NOT_OWN_CASE",
        record=record,
        explanation="Kein Fall der eigenen Organisation (oder nicht vorhanden).",
    )


class Withheld(Refused):
    """The record is visible, but this field's data category is not in the consent."""

    def __init__(self, category: str, record: str) -> None:
        super().__init__(
            f"Die Einwilligung umfasst die Kategorie {category} nicht.",
            reason="CONSENT_CATEGORY",
            record=record,
        )


class PurposeNotCovered(Refused):
    """A partner declared a purpose the consent does not cover (Zweckbindung, § 78 SGB X)."""

    code = "PURPOSE_NOT_COVERED"

    def __init__(self, purpose: str, record: str | None = None) -> None:
        super().__init__(
            f"Der angegebene Zweck „{purpose}“ ist von der Einwilligung nicht gedeckt.",
            reason="PURPOSE_NOT_COVERED",
            record=record,
        )


def _normal(purpose: str) -> str:
    return " ".join(purpose.split()).casefold()


def covers(purposes: Iterable[str], declared: str) -> bool:
    """Whether one of the consented purposes is the declared one (case and spaces aside)."""
    return _normal(declared) in {_normal(p) for p in purposes}


@dataclasses.dataclass(frozen=True)
class _WithheldValue:
    value: Any


Guard = Callable[[Principal, Any, Mapping[str, Any], Info], Awaitable[None]]


async def visibility(info: Info, wanted: Mapping[str, Iterable[str]] | None = None) -> Visibility:
    """The caller's visible household-level records, loaded once per request.

    With ``wanted`` (label -> ids) only those records are looked up, once each per request
    (a page's records, not all of the organization's cases: issue #14); without it,
    everything the organization may see.
    """
    context: Context = info.context
    access = context.access
    async with access.lock:
        principal = context.principal
        org = principal.organization_id
        side = {"caseworker": "referring", "partner": "receiving"}.get(principal.role or "")
        seen = access.visibility
        if side is None or not org:
            if seen is None:
                access.visibility = seen = Visibility()
            return seen
        if wanted is not None:
            missing = {
                label: [i for i in ids if seen is None or not seen.knows(label, i)]
                for label, ids in wanted.items()
            }
            if seen is not None and not any(missing.values()):
                return seen
            found = await context.run(visibility_of, context.graph, org, side, missing)
            access.visibility = seen = found if seen is None else seen.merged(found)
            return seen
        if seen is None or not seen.complete:
            load = referring_visibility if side == "referring" else receiving_visibility
            access.visibility = seen = await context.run(load, context.graph, org)
        return seen


def _wanted(value: Any) -> dict[str, list[str]]:
    """The household-level records in a result (label -> ids), with the household, need and
    consent each referral names, so one lookup answers for everything the page shows."""
    wanted: dict[str, list[str]] = {}
    if isinstance(value, list | tuple):
        items: list[Any] = list(value)
    elif isinstance(getattr(value, "edges", None), list):
        items = [getattr(edge, "node", None) for edge in value.edges]
    else:
        items = [value]
    for item in items:
        label = _HOUSEHOLD_TYPES.get(type(item))
        record_id = None if label is None else _record_id(label, item, "id")
        if label is None or record_id is None:
            continue
        key = "Referral" if label == "ReferralEvent" else label
        wanted.setdefault(key, []).append(record_id)
        stored = getattr(item, "stored", None)
        if key != "Referral" or stored is None:
            continue
        for related, name in (("Household", "household"), ("Need", "need"), ("Consent", "consent")):
            # A lean read leaves ids it did not read empty; an include carries the record.
            included = stored.included.get(name)
            related_id = (
                included.record.id
                if included is not None
                else getattr(stored.record, f"{name}_id", None)
            )
            if related_id:
                wanted.setdefault(related, []).append(str(related_id))
    return wanted


class Policy(FieldExtension):
    """Who may resolve a field (roles), under which guard, with which result handling."""

    def __init__(
        self,
        roles: Iterable[Role],
        *,
        guard: Guard | None = None,
        aggregate: bool = False,
        write: bool = False,
        purpose: str | None = None,
        not_counts: Iterable[str] = (),
    ) -> None:
        self.roles = frozenset(roles)
        unknown = self.roles - set(ROLES)
        if unknown:
            raise ValueError(f"Unbekannte Rollen in einer Policy: {sorted(unknown)}")
        self.guard = guard
        self.aggregate = aggregate
        self.write = write
        self.purpose = purpose
        self.not_counts = NOT_COUNTS | frozenset(not_counts)
        # Partners reach household-level data through this field: their declared purpose
        # must be one their consents cover.
        self.household = "partner" in self.roles and self.roles != frozenset(ROLES)
        self.field_name = ""
        # What a field outside the consented data categories shows (null, empty list), if
        # its type allows; otherwise the access is refused with an error.
        self.withheld: _WithheldValue | None = None
        # The type a nullable field returns (a lookup by id answers null for a record the
        # caller may not see).
        self.nullable_of: Any = None

    def apply(self, field: StrawberryField) -> None:
        self.field_name = field.name
        try:
            kind = field.type
        except Exception:  # an unresolved type: nothing can be withheld softly
            kind = None
        if isinstance(kind, StrawberryOptional):
            self.withheld = _WithheldValue(None)
            self.nullable_of = kind.of_type
        elif isinstance(kind, StrawberryList):
            self.withheld = _WithheldValue([])

    def __repr__(self) -> str:
        return f"Policy(roles={sorted(self.roles)}, aggregate={self.aggregate})"

    def admits_role(self, principal: Principal) -> bool:
        """Whether the caller is signed in with one of the field's roles."""
        return principal.authenticated and principal.role in self.roles

    def passes_unchanged(self, principal: Principal) -> bool:
        """Whether this policy lets ``principal`` read the field and hands the result on as
        the resolver made it: an allowed role, no guard, no purpose to check, no write, no
        suppressed counts, nothing household-level to hide (admins see it whole). The
        compiled read path (schema/compiled.py) answers only such fields itself; for every
        other field and caller the policy runs as usual."""
        return (
            self.admits_role(principal)
            and self.guard is None
            and not self.household
            and not self.write
            and not self.aggregate
        )

    async def resolve_async(
        self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        context: Context = info.context
        if not context.principal.authenticated:
            # Nobody to name in the audit; the caller gets nothing and must sign in.
            raise Unauthenticated()
        if info.path.prev is None:
            context.access.operations[info.field_name] = self.purpose
        try:
            return await self._resolve(next_, source, info, kwargs)
        except AccessDenied as refused:
            _note_refusal(info, refused)
            raise

    async def _resolve(
        self, next_: Callable[..., Any], source: Any, info: Info, kwargs: dict[str, Any]
    ) -> Any:
        context: Context = info.context
        principal = context.principal
        if not self.admits_role(principal):
            raise Refused(f"Für die Rolle {principal.role} nicht erlaubt.", reason="ROLE")
        if self.household and principal.role == "partner":
            await _check_declared_purpose(info)
        # What this write's guard and resolver add to the audited records: taken back when
        # the write did not happen (a refused or invalid mutation is not a write).
        before = set(context.access.records) if self.write else None
        if self.guard is not None:
            try:
                await self.guard(principal, source, kwargs, info)
            except Withheld:
                if self.withheld is None:
                    raise
                return copy.copy(self.withheld.value)
        try:
            if before is None:
                result = next_(source, info, **kwargs)
                if inspect.isawaitable(result):
                    result = await result
            else:
                # The write's entry is committed in the write's own transaction.
                with auditing(write_audit(context, info.field_name)):
                    result = next_(source, info, **kwargs)
                    if inspect.isawaitable(result):
                        result = await result
        except BaseException:
            if before is not None:
                context.access.records = before
            raise
        if principal.role != "admin":
            missing = _missing_record(self, result, kwargs)
            if missing is not None:
                # The caller's scope answered "not found" (null, NotFound): an attempt on a
                # record outside it, or on none. The answer stays as it is; the audit notes it.
                _note_refusal(info, not_visible(principal, missing))
        if before is not None:
            _write_outcome(info, result, before)
            # The write may have changed what the caller sees (a new referral, a revocation).
            context.access.visibility = None
        if principal.role != "admin" and _may_hold_households(result):
            seen = await visibility(info, _wanted(result))
            result = _hide(result, seen, declared_purpose(context), context)
        if self.aggregate and principal.role != "admin":
            result = suppress_small_counts(result, self.not_counts)
        return result


def _where(info: Info) -> str:
    return f"{info.path.typename}.{info.field_name}"


def _note_refusal(info: Info, refused: AccessDenied) -> None:
    """A refused access of a signed-in caller is audited as "denied", with the reason."""
    if isinstance(refused, Unauthenticated):
        return
    where = _where(info)
    if isinstance(refused, Refused):
        reason, record, explanation = refused.reason, refused.record, refused.explanation
    else:
        reason, record, explanation = "FORBIDDEN", None, str(refused)
    info.context.access.refuse(record or f"field:{where}", f"{reason} ({where}): {explanation}")


def _missing_record(policy: Policy, result: Any, args: Mapping[str, Any]) -> str | None:
    """The household-level record a lookup asked for and did not get (``Label:id``)."""
    if isinstance(result, NotFound) and result.kind in HOUSEHOLD_LABELS:
        return f"{result.kind}:{result.id}"
    if result is None and "id" in args:
        label = _HOUSEHOLD_TYPES.get(policy.nullable_of)
        if label is not None:
            return f"{label}:{args['id']}"
    return None


def _write_outcome(info: Info, result: Any, before: set[str]) -> None:
    """Decide what a mutation's answer means for the audit.

    A success is a write. ``NotAllowed`` is a refusal by a rule (no consent, a revoked or
    expired one, a step the referral's state forbids): audited as "denied" with its reason,
    for the records it named. Any other ``Problem`` (InvalidInput, NotFound, Conflict) is an
    answer to the input: nothing was written and no household data was released, so the
    request leaves no entry for it (a typo is not an access; "denied" would cry wolf).
    """
    access = info.context.access
    touched = access.records - before
    access.records = before
    if isinstance(result, NotAllowed):
        where = _where(info)
        for record in sorted(touched) or [f"field:{where}"]:
            access.refuse(record, f"{result.reason} ({where}): {result.message}")
    elif not isinstance(result, Problem):
        access.records |= touched
        access.wrote = True


async def _check_declared_purpose(info: Info) -> None:
    """A partner's declared purpose must be covered by a consent it holds (else refused)."""
    context: Context = info.context
    declared = declared_purpose(context)
    if declared is None:
        return
    access = context.access
    if access.purpose_covered is None or access.visibility is None:
        # Once per request (and again after a write changed the visibility), not per field.
        access.purpose_covered = covers((await visibility(info)).all_purposes(), declared)
    if not access.purpose_covered:
        raise PurposeNotCovered(declared)


# -- the named policies every module uses -------------------------------------------------


def anyone(**options: Any) -> Policy:
    """Every authenticated role: the directory, reference data, system information."""
    return Policy(ROLES, **options)


def admin_only(**options: Any) -> Policy:
    return Policy({"admin"}, **options)


def directory_write(**options: Any) -> Policy:
    """Maintaining the directory and the network (Netzwerkkoordination)."""
    return Policy({"admin", "coordinator"}, write=True, **options)


def service_availability_write(service_of: Callable[[Mapping[str, Any]], str]) -> Policy:
    """Reporting a service's places and occupancy: its own Träger (partner), coordinators and
    administrators for every service."""

    async def guard(principal: Principal, source: Any, args: Mapping[str, Any], info: Info) -> None:
        if principal.role != "partner":
            return
        found = await info.context.loaders.node("Service", service_of(args))
        # A missing service is answered with NotFound by the mutation itself.
        if found is not None and found.record.organization_id != principal.organization_id:
            raise Refused(
                "Nur Angebote der eigenen Organisation.",
                reason="OTHER_ORGANIZATION",
                record=f"Service:{service_of(args)}",
            )

    return Policy({"admin", "coordinator", "partner"}, guard=guard, write=True)


def aggregate(**options: Any) -> Policy:
    """Aggregates and analyses of household data: counts below MIN_COUNT are suppressed."""
    return Policy({"admin", "coordinator", "planner"}, aggregate=True, **options)


def household_read(purpose: str | None = None, **options: Any) -> Policy:
    """Reading household-level records: filtered to the caller's visibility."""
    return Policy(HOUSEHOLD_ROLES, purpose=purpose, **options)


def _input_household(args: Mapping[str, Any]) -> str | None:
    value = getattr(args.get("input"), "household", None)
    return None if value is None else str(value)


def referral_create(
    organization_of: Callable[[Mapping[str, Any]], str | None],
    household_of: Callable[[Mapping[str, Any]], str | None] = _input_household,
) -> Policy:
    """Creating a referral: caseworkers only from their own organization, and only for a
    household of their own organization (one it recorded or referred before) or a new case (a
    household that is nobody's case yet).

    ``organization_of`` and ``household_of`` read the ids from the resolver's arguments.
    """

    async def guard(principal: Principal, source: Any, args: Mapping[str, Any], info: Info) -> None:
        household = household_of(args)
        context: Context = info.context
        if principal.role != "admin":
            wanted = organization_of(args)
            if wanted != principal.organization_id:
                raise Refused(
                    "Überleitungen nur für Fälle der eigenen Organisation.",
                    reason="OTHER_ORGANIZATION",
                    record=f"Organization:{wanted}",
                    explanation=f"Überleitung im Namen einer anderen Organisation ({wanted}).",
                )
            if (
                household is not None
                and household not in (await visibility(info)).households
                and await context.run(household_is_taken, context.graph, household)
            ):
                raise not_visible(
                    principal,
                    f"Household:{household}",
                    "Überleitungen nur für Fälle der eigenen Organisation.",
                )
        if household is not None:
            # The household the referral is for: written with it, or named if it is refused.
            context.access.records.add(f"Household:{household}")

    return Policy({"admin", "caseworker"}, guard=guard, write=True, purpose="Überleitung")


def referral_update(
    referral_of: Callable[[Mapping[str, Any]], str],
    *,
    referring: bool = True,
    receiving: bool = True,
) -> Policy:
    """Changing a referral: its referring side (caseworker), its receiving side (partner)."""
    roles: set[Role] = {"admin"}
    if referring:
        roles.add("caseworker")
    if receiving:
        roles.add("partner")

    async def guard(principal: Principal, source: Any, args: Mapping[str, Any], info: Info) -> None:
        referral_id = referral_of(args)
        if principal.role == "admin":
            # Named for every role: the write's audit entry commits with it.
            info.context.access.records.add(f"Referral:{referral_id}")
            return
        seen = await visibility(info)
        if referral_id not in seen.referrals:
            raise not_visible(
                principal,
                f"Referral:{referral_id}",
                "Überleitung nicht gefunden oder nicht erlaubt.",
            )
        _check_record_purpose(info, seen, "Referral", referral_id)
        info.context.access.records.add(f"Referral:{referral_id}")

    return Policy(roles, guard=guard, write=True, purpose="Überleitung bearbeiten")


def case_create(
    organization_of: Callable[[Mapping[str, Any]], str | None], purpose: str | None = None
) -> Policy:
    """Recording a new case (a household): caseworkers for their own organization only (its
    case from then on), administrators for any or none."""

    async def guard(principal: Principal, source: Any, args: Mapping[str, Any], info: Info) -> None:
        if principal.role == "admin":
            return
        wanted = organization_of(args)
        if not principal.organization_id or wanted not in (None, principal.organization_id):
            raise Refused(
                "Fälle nur für die eigene Organisation.",
                reason="OTHER_ORGANIZATION",
                record=f"Organization:{wanted}",
            )

    return Policy({"admin", "caseworker"}, guard=guard, write=True, purpose=purpose)


def household_write(
    household_of: Callable[[Mapping[str, Any]], str], purpose: str | None = None
) -> Policy:
    """Writing a household's records (consents, needs): only a case of one's own organization."""

    async def guard(principal: Principal, source: Any, args: Mapping[str, Any], info: Info) -> None:
        household_id = household_of(args)
        if principal.role == "admin":
            info.context.access.records.add(f"Household:{household_id}")
            return
        if household_id not in (await visibility(info)).households:
            raise not_visible(
                principal,
                f"Household:{household_id}",
                "Haushalt nicht gefunden oder nicht erlaubt.",
            )
        info.context.access.records.add(f"Household:{household_id}")

    return Policy({"admin", "caseworker"}, guard=guard, write=True, purpose=purpose)


_VISIBLE_SET = {"Household": "households", "Need": "needs", "Consent": "consents"}


def case_record_write(
    label: str, id_of: Callable[[Mapping[str, Any]], str], purpose: str | None = None
) -> Policy:
    """Changing or closing a household, need or consent: only a case of one's own
    organization (caseworkers), administrators for any. Partners and planners never."""
    attribute = _VISIBLE_SET[label]

    async def guard(principal: Principal, source: Any, args: Mapping[str, Any], info: Info) -> None:
        record_id = id_of(args)
        if principal.role == "admin":
            info.context.access.records.add(f"{label}:{record_id}")
            return
        if record_id not in getattr(await visibility(info), attribute):
            raise not_visible(
                principal,
                f"{label}:{record_id}",
                "Nicht gefunden oder nicht erlaubt: nur Fälle der eigenen Organisation.",
            )
        info.context.access.records.add(f"{label}:{record_id}")

    return Policy({"admin", "caseworker"}, guard=guard, write=True, purpose=purpose)


# -- household-level types ------------------------------------------------------------------

_HOUSEHOLD_TYPES: dict[type, str] = {}
T = TypeVar("T", bound=type)


def household_level(
    label: str, *, categories: Mapping[str, str] | None = None, id_attr: str | None = "id"
) -> Callable[[T], T]:
    """Mark a strawberry type as household-level data (Sozialdaten) and guard all its fields.

    ``categories`` maps field names (python names) to the consent data category that must be
    shared for a partner to see them. Fields with an explicit Policy keep it and get the guard.
    """
    if label not in HOUSEHOLD_LABELS:
        raise ValueError(f"{label} ist kein haushaltsbezogener Typ")
    wanted = {
        name: _CATEGORY_ALIASES.get(category, category)
        for name, category in (categories or {}).items()
    }
    unknown = set(wanted.values()) - set(DATA_CATEGORIES)
    if unknown:
        raise ValueError(f"Unbekannte Datenkategorien: {sorted(unknown)}")

    def decorate(cls: T) -> T:
        _HOUSEHOLD_TYPES[cls] = label
        definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
        for field in definition.fields:
            guard = _object_guard(label, id_attr, wanted.get(field.python_name))
            existing = [e for e in field.extensions if isinstance(e, Policy)]
            if existing:
                for policy in existing:
                    policy.roles = policy.roles & HOUSEHOLD_ROLES
                    policy.guard = _chain(guard, policy.guard)
            else:
                field.extensions.append(Policy(HOUSEHOLD_ROLES, guard=guard))
        return cls

    return decorate


def every_field(make: Callable[[], Policy]) -> Callable[[T], T]:
    """Give every field of a strawberry type without a policy the one ``make`` builds."""

    def decorate(cls: T) -> T:
        for field in cls.__strawberry_definition__.fields:  # type: ignore[attr-defined]
            if not any(isinstance(e, Policy) for e in field.extensions):
                field.extensions.append(make())
        return cls

    return decorate


def _chain(first: Guard, second: Guard | None) -> Guard:
    if second is None:
        return first

    async def both(principal: Principal, source: Any, args: Mapping[str, Any], info: Info) -> None:
        await first(principal, source, args, info)
        await second(principal, source, args, info)

    return both


def _record_id(label: str, source: Any, id_attr: str | None) -> str | None:
    if id_attr is None:
        return None
    value = getattr(source, id_attr, None)
    if value is None:
        return None
    text = str(value)
    return text.split("#", 1)[0] if label == "ReferralEvent" else text


def _object_guard(label: str, id_attr: str | None, category: str | None) -> Guard:
    async def guard(principal: Principal, source: Any, args: Mapping[str, Any], info: Info) -> None:
        record_id = _record_id(label, source, id_attr)
        if record_id is None:
            # A type without its own id is only reachable through a guarded parent field.
            return
        key = "Referral" if label == "ReferralEvent" else label
        if principal.role != "admin":
            seen = await visibility(info, {key: [record_id]})
            if record_id not in seen.ids(key):
                raise not_visible(principal, f"{key}:{record_id}")
            _check_record_purpose(info, seen, key, record_id)
            shared = seen.categories_of(key, record_id)
            if category is not None and shared is not None and category not in shared:
                raise Withheld(category, f"{key}:{record_id}")
        info.context.access.records.add(f"{key}:{record_id}")

    return guard


def _check_record_purpose(info: Info, seen: Visibility, label: str, record_id: str) -> None:
    """For a partner: the record is used under the purpose of the consent that shares it; a
    declared purpose the consent does not cover is refused (and audited as denied)."""
    purposes = seen.purposes_of(label, record_id)
    if purposes is None:
        return
    context: Context = info.context
    declared = declared_purpose(context)
    if declared is not None and not covers(purposes, declared):
        raise PurposeNotCovered(declared, f"{label}:{record_id}")
    context.access.consent_purposes.update(purposes)


def _may_hold_households(value: Any) -> bool:
    if type(value) in _HOUSEHOLD_TYPES:
        return True
    if isinstance(value, list | tuple):
        return any(type(item) in _HOUSEHOLD_TYPES for item in value)
    edges = getattr(value, "edges", None)
    if isinstance(edges, list) and edges:
        return any(type(getattr(edge, "node", None)) in _HOUSEHOLD_TYPES for edge in edges)
    return False


def _visible(value: Any, seen: Visibility) -> bool:
    label = _HOUSEHOLD_TYPES.get(type(value))
    if label is None:
        return True
    record_id = _record_id(label, value, "id")
    key = "Referral" if label == "ReferralEvent" else label
    return record_id is None or record_id in seen.ids(key)


def _covered(value: Any, seen: Visibility, purpose: str | None, context: Context) -> bool:
    """Whether a list item may stay under the declared purpose (partners); a dropped one is
    audited as denied. Single records are refused by the object guard instead."""
    label = _HOUSEHOLD_TYPES.get(type(value))
    record_id = None if label is None or purpose is None else _record_id(label, value, "id")
    if label is None or record_id is None or purpose is None:
        return True
    key = "Referral" if label == "ReferralEvent" else label
    purposes = seen.purposes_of(key, record_id)
    if purposes is None or covers(purposes, purpose):
        return True
    context.access.refuse(
        f"{key}:{record_id}",
        f"PURPOSE_NOT_COVERED: Der angegebene Zweck „{purpose}“ ist von der Einwilligung "
        "nicht gedeckt (aus der Liste entfernt).",
    )
    return False


def _hide(value: Any, seen: Visibility, purpose: str | None, context: Context) -> Any:
    """Drop household-level records outside the caller's visibility from a result, and from
    lists those a partner's declared purpose does not cover."""

    def keep(item: Any) -> bool:
        return _visible(item, seen) and _covered(item, seen, purpose, context)

    if isinstance(value, list | tuple):
        return type(value)(item for item in value if keep(item))
    edges = getattr(value, "edges", None)
    if isinstance(edges, list):
        kept = [edge for edge in edges if keep(getattr(edge, "node", None))]
        if len(kept) != len(edges):
            value = copy.copy(value)
            object.__setattr__(value, "edges", kept)
        return value
    if not _visible(value, seen):
        label = _HOUSEHOLD_TYPES[type(value)]
        key = "Referral" if label == "ReferralEvent" else label
        raise not_visible(context.principal, f"{key}:{_record_id(label, value, 'id')}")
    return value


# -- aggregates ---------------------------------------------------------------------------

_DROP = object()


def suppress_small_counts(value: Any, not_counts: frozenset[str] = NOT_COUNTS) -> Any:
    """Suppress every count from 0 to 4: list rows that carry one are dropped, a count in a
    single object becomes null (aggregate types declare their counts as ``int | None``)."""
    result = _suppress(value, not_counts, in_list=False)
    return None if result is _DROP else result


def _is_count(name: str, value: Any, not_counts: frozenset[str]) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and name not in not_counts


def _suppress(value: Any, not_counts: frozenset[str], *, in_list: bool) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return (_DROP if in_list else None) if is_small(value) else value
    if isinstance(value, list | tuple):
        kept = [_suppress(item, not_counts, in_list=True) for item in value]
        return type(value)(item for item in kept if item is not _DROP)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            current = getattr(value, f.name)
            if _is_count(f.name, current, not_counts) and is_small(current):
                if in_list:
                    return _DROP
                changed[f.name] = None
            elif isinstance(current, list | tuple) or (
                dataclasses.is_dataclass(current) and not isinstance(current, type)
            ):
                new = _suppress(current, not_counts, in_list=False)
                if new is not current:
                    changed[f.name] = new
        if changed:
            value = copy.copy(value)
            for name, new in changed.items():
                object.__setattr__(value, name, new)
        return value
    return value
