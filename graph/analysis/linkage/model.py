"""Fellegi–Sunter match weights: m and u per comparison level, estimated from the data.

u (how often a level occurs between two DIFFERENT Träger) comes from random pairs of the
directory, nearly all of which are different Träger; m (how often it occurs between two
records of the SAME Träger) and the share of matches λ come from EM over the candidate pairs.
Both start from priors and keep them as pseudo-counts, so a small directory (the demo, a test)
stays with sensible values instead of fitting noise. Missing values (level 0 of the contact
comparisons) weigh nothing. Agreement on a website, phone or e-mail domain is adjusted by how
often that value occurs (term frequency): a shared rare website counts, the city portal barely.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from graph.analysis.linkage.compare import COMPARISONS, LEVELS, Comparison, Frequencies

# Comparisons whose level 0 means "not comparable".
NULLABLE = frozenset({"form", "site", "mail", "phone", "address", "area"})

# Priors: P(level | same Träger) and P(level | different Träger), per comparison.
PRIOR_M: Mapping[str, tuple[float, ...]] = {
    "name": (0.02, 0.08, 0.2, 0.3, 0.4),
    "distinct": (0.6, 0.35, 0.05),
    "form": (0.0, 0.9, 0.1),
    "site": (0.0, 0.7, 0.3),
    "mail": (0.0, 0.7, 0.3),
    "phone": (0.0, 0.5, 0.5),
    "address": (0.0, 0.4, 0.1, 0.5),
    "area": (0.0, 0.6, 0.4),
}
PRIOR_U: Mapping[str, tuple[float, ...]] = {
    "name": (0.9, 0.08, 0.015, 0.004, 0.001),
    "distinct": (0.02, 0.18, 0.8),
    "form": (0.0, 0.5, 0.5),
    "site": (0.0, 0.002, 0.998),
    "mail": (0.0, 0.003, 0.997),
    "phone": (0.0, 0.001, 0.999),
    "address": (0.0, 0.002, 0.01, 0.988),
    "area": (0.0, 0.15, 0.85),
}
PRIOR_STRENGTH = 50.0  # pseudo-pairs behind each prior
TF_CAP = 6.0  # bits: a term-frequency adjustment never moves a weight by more


@dataclass(frozen=True, slots=True)
class Parameters:
    m: Mapping[str, tuple[float, ...]]
    u: Mapping[str, tuple[float, ...]]
    prior_match: float  # λ among candidate pairs

    def level_weight(self, comparison: str, level: int) -> float:
        if comparison in NULLABLE and level == 0:
            return 0.0
        return math.log2(self.m[comparison][level] / self.u[comparison][level])


def _normalise(counts: Sequence[float], nullable: bool) -> tuple[float, ...]:
    values = [0.0 if nullable and i == 0 else max(c, 1e-6) for i, c in enumerate(counts)]
    total = sum(values)
    return tuple(v / total if not (nullable and i == 0) else 0.0 for i, v in enumerate(values))


def _estimate(
    vectors: Sequence[tuple[int, ...]],
    weights: Sequence[float],
    prior: Mapping[str, tuple[float, ...]],
) -> dict[str, tuple[float, ...]]:
    out: dict[str, tuple[float, ...]] = {}
    for k, comparison in enumerate(COMPARISONS):
        counts = [PRIOR_STRENGTH * p for p in prior[comparison]]
        for vector, w in zip(vectors, weights, strict=True):
            counts[vector[k]] += w
        out[comparison] = _normalise(counts, comparison in NULLABLE)
    return out


def estimate_u(random_pairs: Sequence[Comparison]) -> dict[str, tuple[float, ...]]:
    patterns = Counter(c.levels for c in random_pairs)
    vectors = list(patterns)
    return _estimate(vectors, [float(patterns[v]) for v in vectors], PRIOR_U)


def fit(
    candidates: Sequence[Comparison],
    random_pairs: Sequence[Comparison],
    *,
    iterations: int = 20,
    prior_match: float = 0.3,
) -> Parameters:
    """m, u and λ by EM over the candidate pairs (u fixed from the random pairs). Pairs with
    one comparison vector share one posterior: EM runs over the distinct vectors (a few
    hundred) with their counts, not over every pair."""
    u = estimate_u(random_pairs)
    m: dict[str, tuple[float, ...]] = {
        c: _normalise(PRIOR_M[c], c in NULLABLE) for c in COMPARISONS
    }
    lam = prior_match
    patterns = Counter(c.levels for c in candidates)
    vectors = list(patterns)
    counts = [float(patterns[v]) for v in vectors]
    total = sum(counts)
    for _ in range(iterations):
        if not vectors:
            break
        params = Parameters(m, u, lam)
        posts = [probability(match_weight(v, params)) for v in vectors]
        weighted = [p * n for p, n in zip(posts, counts, strict=True)]
        lam = min(
            0.95,
            max(
                0.01,
                (sum(weighted) + PRIOR_STRENGTH * prior_match) / (total + PRIOR_STRENGTH),
            ),
        )
        m = _estimate(vectors, weighted, PRIOR_M)
    return Parameters(m, u, lam)


def match_weight(levels: Sequence[int], params: Parameters, tf: float = 0.0) -> float:
    """Log2 odds of "same Träger": prior odds plus each level's weight plus TF adjustment."""
    weight = math.log2(params.prior_match / (1 - params.prior_match))
    for comparison, level in zip(COMPARISONS, levels, strict=True):
        weight += params.level_weight(comparison, level)
    return weight + tf


def probability(weight: float) -> float:
    """Posterior probability of "same Träger" from a match weight in bits."""
    return 1.0 / (1.0 + math.pow(2.0, -weight))


def tf_adjustment(
    levels: Sequence[int], value_of: Mapping[str, str | None], freq: Frequencies
) -> float:
    """Term-frequency adjustment of agreeing contacts: log2(average share / share of the value)."""
    total = 0.0
    n = max(freq.records, 1)
    for comparison, counter in (("site", freq.sites), ("phone", freq.phones), ("mail", freq.mails)):
        value = value_of.get(comparison)
        if not value or levels[COMPARISONS.index(comparison)] != 1:
            continue
        share = max(counter.get(value, 1), 1) / n
        adjust: float = math.log2(freq.mean_share[comparison] / share)
        total += max(-TF_CAP, min(TF_CAP, adjust))
    return total


def sample_pairs(n: int, count: int, seed: int = 7) -> list[tuple[int, int]]:
    """Up to ``count`` distinct random pairs of record indexes (all pairs when fewer)."""
    if n < 2:
        return []
    possible = n * (n - 1) // 2
    if possible <= count:
        return [(i, j) for i in range(n) for j in range(i + 1, n)]
    rng = random.Random(seed)
    seen: set[tuple[int, int]] = set()
    while len(seen) < count:
        i, j = rng.randrange(n), rng.randrange(n)
        if i != j:
            seen.add((min(i, j), max(i, j)))
    return sorted(seen)


def levels_count() -> Mapping[str, int]:
    return LEVELS
