"""Double support, missing cooperation and referral pathways on hand-made referrals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from graph.analysis.config import (
    DoubleSupportConfig,
    MissingCooperationConfig,
    PathwayConfig,
)
from graph.analysis.cooperation import Cooperation
from graph.analysis.double_support import double_support, double_support_cases
from graph.analysis.missing_cooperation import missing_cooperation
from graph.analysis.pathways import referral_pathways
from graph.analysis.snapshot import AgreementInfo, NetworkInfo, ReferralInfo
from tests.analysis_fixtures import line_index, service

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

SERVICES = {
    s.id: s
    for s in [
        service("sb-o1", "o1", ("a",)),
        service("sb-o2", "o2", ("a",)),
        service("sb-o3", "o3", ("a",)),
        service("sb-o1b", "o1", ("b",)),
        service("sucht-o2", "o2", ("a",), category="sucht"),
    ]
}


def ref(
    ident: str,
    household: str,
    service_id: str,
    status: str = "accepted",
    *,
    hours: float | None = None,
    day: int = 0,
) -> ReferralInfo:
    created = T0 + timedelta(days=day)
    return ReferralInfo(
        id=ident,
        household_id=household,
        household_area_id="a-1",
        service_id=service_id,
        from_organization_id="jc",
        status=status,
        created_at=created,
        responded_at=created + timedelta(hours=hours) if hours is not None else None,
    )


def test_double_support_needs_two_active_referrals_to_two_organizations() -> None:
    referrals = [
        ref("r1", "h1", "sb-o1"),
        ref("r2", "h1", "sb-o2", "created"),
        ref("r3", "h2", "sb-o1"),
        ref("r4", "h2", "sb-o1b"),  # same Träger twice: not double support
        ref("r5", "h3", "sb-o1"),
        ref("r6", "h3", "sb-o3", "declined"),  # closed: not active
        ref("r7", "h4", "sb-o2"),
        ref("r8", "h4", "sucht-o2"),  # different category
        ref("r9", "h5", "sb-o2", "started"),
        ref("r10", "h5", "sb-o3"),
    ]
    cooperation = Cooperation(
        [AgreementInfo(id="ag", party_ids=("o2", "o3"))],
        [NetworkInfo(id="n", name="Verbund", member_ids=("o9",))],
    )
    cases = double_support_cases(
        referrals, SERVICES, cooperation, DoubleSupportConfig(), line_index("a", "b")
    )
    assert [(c.household_id, c.organization_ids, c.uncoordinated, c.area_id) for c in cases] == [
        ("h1", ("o1", "o2"), True, "a"),
        ("h5", ("o2", "o3"), False, "a"),
    ]
    findings = double_support(cases)
    assert [(f.organization_ids, f.households, f.uncoordinated_households) for f in findings] == [
        (("o1", "o2"), 1, 1),
        (("o2", "o3"), 1, 0),
    ]
    assert findings[0].severity == "hoch"
    assert "h1" not in findings[0].explanation
    # One household in words of one, and a capital letter where a count opens the sentence.
    assert findings[0].explanation.startswith("1 Haushalt wird im Bereich")
    shown = double_support(cases, min_count=5)
    assert shown[0].explanation.startswith("Weniger als 5 Haushalte werden im Bereich")


def test_a_shared_network_coordinates() -> None:
    referrals = [ref("r1", "h1", "sb-o1"), ref("r2", "h1", "sb-o2")]
    cooperation = Cooperation([], [NetworkInfo(id="n", name="V", member_ids=("o1", "o2"))])
    (case,) = double_support_cases(referrals, SERVICES, cooperation, DoubleSupportConfig())
    assert not case.uncoordinated


def test_missing_cooperation_counts_shared_households_without_agreement() -> None:
    referrals = []
    for i in range(5):
        referrals += [ref(f"a{i}", f"h{i}", "sb-o1", "completed"), ref(f"b{i}", f"h{i}", "sb-o2")]
    # Four shared households with o3, one more only through a declined referral.
    for i in range(4):
        referrals.append(ref(f"c{i}", f"h{i}", "sb-o3", "started"))
    referrals.append(ref("c4", "h4", "sb-o3", "declined"))
    found = missing_cooperation(referrals, SERVICES, Cooperation([]), MissingCooperationConfig())
    assert [(f.organization_ids, f.shared_households) for f in found] == [(("o1", "o2"), 5)]
    with_agreement = Cooperation([AgreementInfo(id="ag", party_ids=("o1", "o2"))])
    assert (
        missing_cooperation(referrals, SERVICES, with_agreement, MissingCooperationConfig()) == []
    )
    # A shared network is no agreement: still a suggestion, but said so.
    in_network = Cooperation([], [NetworkInfo(id="n", name="V", member_ids=("o1", "o2"))])
    (hint,) = missing_cooperation(referrals, SERVICES, in_network, MissingCooperationConfig())
    assert hint.same_network


def test_pathways_sequences_rates_and_response_times() -> None:
    referrals = [
        ref("r1", "h1", "sb-o1", "completed", hours=2, day=0),
        ref("r2", "h1", "sucht-o2", "declined", hours=4, day=1),
        ref("r3", "h2", "sb-o2", "cancelled", hours=6, day=0),
        ref("r4", "h2", "sucht-o2", "created", day=2),
        ref("r5", "h3", "sucht-o2", "accepted", hours=10, day=0),
    ]
    result = referral_pathways(referrals, SERVICES, PathwayConfig(), line_index("a"))
    assert result.households == 3
    assert [(s.category_ids, s.households) for s in result.sequences] == [
        (("sb", "sucht"), 2),
        (("sucht",), 1),
    ]
    rates = {(r.category_id, r.area_id): r for r in result.rates}
    sb = rates[("sb", None)]
    assert (sb.referrals, sb.cancelled, sb.dropoff_rate, sb.decline_rate) == (2, 1, 0.5, 0.0)
    assert sb.median_response_hours == pytest.approx(4.0)
    sucht = rates[("sucht", "a")]
    assert sucht.decline_rate == pytest.approx(1 / 3)
    assert sucht.responded == 2
    assert sucht.mean_response_hours == pytest.approx(7.0)
