"""The deterministic demo city: Stuttgart's 23 Stadtbezirke, its partner landscape,
pseudonymous households with needs and two years of referrals, with planted findings.

    from loaders.demo import generate
    demo = generate("small", seed=2026)   # demo.bundle: graph.Bundle, demo.truth: PlantedTruth
"""

from loaders.demo.generator import Demo, generate
from loaders.demo.sizes import SIZES, Size
from loaders.demo.truth import PlantedTruth

__all__ = ["SIZES", "Demo", "PlantedTruth", "Size", "generate"]
