"""Which household-level records an organization may see (Sichtbarkeit von Sozialdaten).

A caseworker's organization sees its cases: the households it recorded (``CASE_OF``) and those
it referred (the referral's ``FROM_ORGANIZATION``), with their needs, consents and referrals
from that organization. A household it recorded is nobody else's until it is referred.
A partner organization sees only referrals to its own services that stand under a consent
which names it, is in force today and is not revoked, plus the household and need of those
referrals and the data categories those consents allow. Revoking a consent therefore ends
the sharing with the very next request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, LiteralString

from graph import clock
from graph.connection import Graph
from graph.consent_in_force import in_force_where


@dataclass(frozen=True, slots=True)
class Visibility:
    """Ids of the household-level records one organization may see, per label."""

    households: frozenset[str] = frozenset()
    referrals: frozenset[str] = frozenset()
    consents: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()
    # (label, id) -> data categories the consents in force allow to share (partners only;
    # None in ``categories_of`` means no restriction).
    categories: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    # (label, id) -> purposes of the consents in force that share the record (partners only):
    # a partner may use the data only for these (§ 78 SGB X).
    purposes: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    restricted: bool = False
    # False: only the records in ``checked`` ((label, id) pairs) were looked at (a request's
    # page, ``visibility_of``); the sets above say nothing about any other record.
    complete: bool = True
    checked: frozenset[tuple[str, str]] = frozenset()

    def knows(self, label: str, record_id: str) -> bool:
        """Whether this answers for the record (always, when complete)."""
        return self.complete or (_key(label), record_id) in self.checked

    def merged(self, other: Visibility) -> Visibility:
        """This partial visibility together with another one of the same organization."""
        return replace(
            self,
            households=self.households | other.households,
            referrals=self.referrals | other.referrals,
            consents=self.consents | other.consents,
            needs=self.needs | other.needs,
            categories={**self.categories, **other.categories},
            purposes={**self.purposes, **other.purposes},
            checked=self.checked | other.checked,
        )

    def ids(self, label: str) -> frozenset[str]:
        if label == "Household":
            return self.households
        if label in ("Referral", "ReferralEvent"):
            return self.referrals
        if label == "Consent":
            return self.consents
        if label == "Need":
            return self.needs
        return frozenset()

    def categories_of(self, label: str, record_id: str) -> frozenset[str] | None:
        """The data categories shared for a record, or None when nothing is restricted."""
        if not self.restricted:
            return None
        key = "Referral" if label == "ReferralEvent" else label
        return self.categories.get((key, record_id), frozenset())

    def purposes_of(self, label: str, record_id: str) -> frozenset[str] | None:
        """The consented purposes a record may be used for, or None when not restricted."""
        if not self.restricted:
            return None
        key = "Referral" if label == "ReferralEvent" else label
        return self.purposes.get((key, record_id), frozenset())

    def all_purposes(self) -> frozenset[str]:
        """Every purpose any visible record was shared for."""
        return frozenset(p for found in self.purposes.values() for p in found)


_REFERRING = """
OPTIONAL MATCH (o:Organization {id: $org})
CALL (o) {
  MATCH (o)<-[:FROM_ORGANIZATION]-(r:Referral)-[:FOR_HOUSEHOLD]->(h:Household)
  RETURN collect(DISTINCT r.id) AS referrals, collect(DISTINCT h) AS referred
}
CALL (o) {
  MATCH (o)<-[:CASE_OF]-(h:Household)
  RETURN collect(h) AS recorded
}
WITH referrals, referred + [h IN recorded WHERE NOT h IN referred] AS households
CALL (households) {
  UNWIND households AS h
  OPTIONAL MATCH (h)-[:HAS_NEED]->(n:Need)
  OPTIONAL MATCH (c:Consent)-[:GIVEN_BY]->(h)
  RETURN collect(DISTINCT n.id) AS needs, collect(DISTINCT c.id) AS consents
}
RETURN referrals, [h IN households | h.id] AS households, needs, consents
"""

# A referral's household, need and consent, for each referral to the organization's services
# under a consent in force that names it (``_RECEIVING_OF``: the same for given records).
_RECEIVED_ROWS: LiteralString = (
    """
MATCH (r)-[:UNDER_CONSENT]->(c:Consent)-[:GRANTS_TO]->(o)
WHERE """
    + in_force_where("c")
    + """
MATCH (r)-[:FOR_HOUSEHOLD]->(h:Household)
OPTIONAL MATCH (r)-[:FOR_NEED]->(n:Need)
RETURN r.id AS referral, h.id AS household, c.id AS consent, n.id AS need,
       coalesce(c.data_categories, []) AS categories, c.purpose AS purpose
"""
)

_RECEIVING: LiteralString = (
    """
MATCH (o:Organization {id: $org})-[:PROVIDES]->(:Service)<-[:TO_SERVICE]-(r:Referral)"""
    + _RECEIVED_ROWS
)


def _key(label: str) -> str:
    return "Referral" if label == "ReferralEvent" else label


# The same rules as _REFERRING and _RECEIVING, asked only for given records: work in
# proportion to the records a request shows, not to every case of the organization (a
# Jobcenter's 30,000 referrals on the large demo, issue #14). Each record is the start of
# its own pattern, walked towards the organization.
_REFERRING_OF: LiteralString = """
CALL () {
  UNWIND $referrals AS id
  MATCH (r:Referral {id: id})-[:FROM_ORGANIZATION]->(:Organization {id: $org})
  WHERE EXISTS { (r)-[:FOR_HOUSEHOLD]->(:Household) }
  RETURN 'Referral' AS label, r.id AS id
  UNION
  UNWIND $households AS id MATCH (h:Household {id: id})
  WHERE EXISTS { (h)-[:CASE_OF]->(:Organization {id: $org}) }
     OR EXISTS {
       (h)<-[:FOR_HOUSEHOLD]-(:Referral)-[:FROM_ORGANIZATION]->(:Organization {id: $org})
     }
  RETURN 'Household' AS label, h.id AS id
  UNION
  UNWIND $needs AS id MATCH (n:Need {id: id})<-[:HAS_NEED]-(h:Household)
  WHERE EXISTS { (h)-[:CASE_OF]->(:Organization {id: $org}) }
     OR EXISTS {
       (h)<-[:FOR_HOUSEHOLD]-(:Referral)-[:FROM_ORGANIZATION]->(:Organization {id: $org})
     }
  RETURN 'Need' AS label, n.id AS id
  UNION
  UNWIND $consents AS id MATCH (c:Consent {id: id})-[:GIVEN_BY]->(h:Household)
  WHERE EXISTS { (h)-[:CASE_OF]->(:Organization {id: $org}) }
     OR EXISTS {
       (h)<-[:FOR_HOUSEHOLD]-(:Referral)-[:FROM_ORGANIZATION]->(:Organization {id: $org})
     }
  RETURN 'Consent' AS label, c.id AS id
}
RETURN label, collect(DISTINCT id) AS ids
"""

# The rows of _RECEIVING that name one of the given records (so the categories and purposes
# of each given record are complete).
_RECEIVING_OF: LiteralString = (
    """
CALL () {
  UNWIND $referrals AS id MATCH (r:Referral {id: id}) RETURN r
  UNION
  UNWIND $households AS id MATCH (:Household {id: id})<-[:FOR_HOUSEHOLD]-(r:Referral) RETURN r
  UNION
  UNWIND $consents AS id MATCH (:Consent {id: id})<-[:UNDER_CONSENT]-(r:Referral) RETURN r
  UNION
  UNWIND $needs AS id MATCH (:Need {id: id})<-[:FOR_NEED]-(r:Referral) RETURN r
}
MATCH (r)-[:TO_SERVICE]->(:Service)<-[:PROVIDES]-(o:Organization)
WHERE o.id = $org"""
    + _RECEIVED_ROWS
)

_PARAM = {
    "Referral": "referrals",
    "Household": "households",
    "Need": "needs",
    "Consent": "consents",
}


def visibility_of(
    graph: Graph,
    organization_id: str,
    side: str,
    wanted: Mapping[str, Iterable[str]],
    today: date | None = None,
) -> Visibility:
    """What the organization may see of the ``wanted`` records only (label -> ids), by the
    same rules as ``referring_visibility`` (side ``referring``) and ``receiving_visibility``
    (``receiving``); the answer is partial: it knows exactly the records asked for."""
    asked = {_PARAM[_key(label)]: sorted(set(ids)) for label, ids in wanted.items() if ids}
    params: dict[str, Any] = {name: asked.get(name, []) for name in _PARAM.values()}
    checked = frozenset((_key(label), str(i)) for label, ids in wanted.items() for i in ids if ids)
    if side == "referring":
        found = {
            row["label"]: frozenset(row["ids"])
            for row in graph.query(_REFERRING_OF, {**params, "org": organization_id})
        }
        return Visibility(
            households=found.get("Household", frozenset()),
            referrals=found.get("Referral", frozenset()),
            consents=found.get("Consent", frozenset()),
            needs=found.get("Need", frozenset()),
            complete=False,
            checked=checked,
        )
    rows = graph.query(
        _RECEIVING_OF, {**params, "org": organization_id, "today": today or clock.today()}
    )
    full = _receiving(rows)
    keep = {label: {i for (lab, i) in checked if lab == label} for label in _PARAM}
    return replace(
        full,
        households=full.households & keep["Household"],
        referrals=full.referrals & keep["Referral"],
        consents=full.consents & keep["Consent"],
        needs=full.needs & keep["Need"],
        categories={k: v for k, v in full.categories.items() if k in checked},
        purposes={k: v for k, v in full.purposes.items() if k in checked},
        complete=False,
        checked=checked,
    )


def referring_visibility(graph: Graph, organization_id: str) -> Visibility:
    """What a referring organization (caseworkers) may see: its own cases."""
    (row,) = graph.query(_REFERRING, {"org": organization_id})
    return Visibility(
        households=frozenset(row["households"]),
        referrals=frozenset(row["referrals"]),
        consents=frozenset(row["consents"]),
        needs=frozenset(row["needs"]),
    )


def receiving_visibility(
    graph: Graph, organization_id: str, today: date | None = None
) -> Visibility:
    """What a receiving organization (partner) may see: referrals under consents in force."""
    rows = graph.query(_RECEIVING, {"org": organization_id, "today": today or clock.today()})
    return _receiving(rows)


def _receiving(rows: list[dict[str, Any]]) -> Visibility:
    categories: dict[tuple[str, str], set[str]] = {}
    purposes: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        for key in (
            ("Household", row["household"]),
            ("Referral", row["referral"]),
            ("Consent", row["consent"]),
            ("Need", row["need"]),
        ):
            if key[1] is not None:
                categories.setdefault(key, set()).update(row["categories"])
                found = purposes.setdefault(key, set())
                if row["purpose"]:
                    found.add(row["purpose"])
    return Visibility(
        households=frozenset(row["household"] for row in rows),
        referrals=frozenset(row["referral"] for row in rows),
        consents=frozenset(row["consent"] for row in rows),
        needs=frozenset(row["need"] for row in rows if row["need"] is not None),
        categories={key: frozenset(c) for key, c in categories.items()},
        purposes={key: frozenset(p) for key, p in purposes.items()},
        restricted=True,
    )


def household_is_taken(graph: Graph, household_id: str) -> bool:
    """Whether the household is some organization's case: one recorded it (``CASE_OF``) or
    referred it. A new case (an imported household nobody referred yet) is not."""
    rows: list[dict[str, Any]] = graph.query(
        "MATCH (h:Household {id: $id}) "
        "RETURN EXISTS { (h)<-[:FOR_HOUSEHOLD]-(:Referral) } "
        "OR EXISTS { (h)-[:CASE_OF]->(:Organization) } AS taken",
        {"id": household_id},
    )
    return bool(rows and rows[0]["taken"])


def referral_parties(graph: Graph, referral_ids: list[str]) -> dict[str, tuple[str, str]]:
    """Referral id -> (referring organization id, receiving organization id)."""
    rows = graph.query(
        "UNWIND $ids AS id MATCH (r:Referral {id: id}) "
        "MATCH (r)-[:FROM_ORGANIZATION]->(f:Organization) "
        "MATCH (r)-[:TO_SERVICE]->(:Service)<-[:PROVIDES]-(t:Organization) "
        "RETURN r.id AS id, f.id AS source, t.id AS target",
        {"ids": referral_ids},
    )
    return {row["id"]: (row["source"], row["target"]) for row in rows}
