"""Who cooperates formally with whom: shared agreements and networks, for the analyses."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from graph.analysis.snapshot import AgreementInfo, NetworkInfo


class Cooperation:
    """Answers "do these two Träger share an agreement / a network?" without pair explosion."""

    def __init__(
        self, agreements: Iterable[AgreementInfo], networks: Iterable[NetworkInfo] = ()
    ) -> None:
        self._agreements: dict[str, set[str]] = defaultdict(set)
        self._networks: dict[str, set[str]] = defaultdict(set)
        for a in agreements:
            for party in a.party_ids:
                self._agreements[party].add(a.id)
        for n in networks:
            for member in n.member_ids:
                self._networks[member].add(n.id)

    def agreement(self, a: str, b: str) -> bool:
        return a != b and bool(self._agreements.get(a, set()) & self._agreements.get(b, set()))

    def network(self, a: str, b: str) -> bool:
        return a != b and bool(self._networks.get(a, set()) & self._networks.get(b, set()))

    def coordinated(self, a: str, b: str) -> bool:
        return self.agreement(a, b) or self.network(a, b)
