"""Link a directory of Träger: candidate pairs, fitted model, outcomes, best first."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from graph.analysis.linkage.blocking import candidate_pairs
from graph.analysis.linkage.compare import Comparison, compare, frequencies
from graph.analysis.linkage.model import (
    Parameters,
    fit,
    match_weight,
    probability,
    sample_pairs,
    tf_adjustment,
)
from graph.analysis.linkage.outcomes import Decision, Outcome, decide
from graph.analysis.linkage.records import LinkRecord


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkConfig:
    # A merge is suggested from this posterior probability of "same Träger".
    min_probability: float = 0.9
    max_token_block: int = 50
    max_block: int = 200
    random_pairs: int = 20_000
    em_iterations: int = 20


@dataclass(frozen=True, slots=True)
class Suggestion:
    a: str  # record ids, a < b
    b: str
    outcome: Outcome
    probability: float
    weight: float
    evidence: tuple[str, ...]
    comparison: Comparison


@dataclass(frozen=True, slots=True)
class Linkage:
    suggestions: tuple[Suggestion, ...]
    parameters: Parameters
    candidates: int


def link(
    records: Sequence[LinkRecord],
    config: LinkConfig = LinkConfig(),
    *,
    rejected: Collection[frozenset[str]] = (),
) -> Linkage:
    """Every pair worth showing; pairs a coordinator rejected are never suggested again."""
    ordered = sorted(records, key=lambda r: r.id)
    freq = frequencies(ordered)
    pairs = sorted(
        candidate_pairs(
            ordered,
            max_token_block=config.max_token_block,
            max_block=config.max_block,
        )
    )
    comparisons = [compare(ordered[i], ordered[j], freq) for i, j in pairs]
    randoms = [
        compare(ordered[i], ordered[j], freq)
        for i, j in sample_pairs(len(ordered), config.random_pairs)
    ]
    params = fit(comparisons, randoms, iterations=config.em_iterations)
    found: list[Suggestion] = []
    base: dict[tuple[int, ...], float] = {}  # weight per comparison vector, before TF
    for (i, j), c in zip(pairs, comparisons, strict=True):
        a, b = ordered[i], ordered[j]
        if frozenset((a.id, b.id)) in rejected:
            continue
        tf = tf_adjustment(c.levels, {"site": a.site, "phone": a.phone, "mail": a.mail}, freq)
        if c.levels not in base:
            base[c.levels] = match_weight(c.levels, params)
        weight = base[c.levels] + tf
        p = probability(weight)
        decision: Decision | None = decide(
            a,
            b,
            c,
            p,
            min_probability=config.min_probability,
            brand=any(freq.is_brand(w) for w in c.name.shared),
        )
        if decision is not None:
            found.append(
                Suggestion(
                    a.id,
                    b.id,
                    decision.outcome,
                    round(p, 4),
                    round(weight, 2),
                    decision.evidence,
                    c,
                )
            )
    order = {"same": 0, "renamed": 1, "related": 2}
    found.sort(key=lambda s: (order[s.outcome], -s.weight, s.a, s.b))
    return Linkage(tuple(found), params, len(pairs))
