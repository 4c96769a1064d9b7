"""Analyses of the network with networkx: pure functions over projected records.

``projection.load_snapshot`` reads what they need in one transaction; ``suite.run_analyses``
runs them all; each module holds one analysis and its finding type.
"""

from graph.analysis.config import DEFAULT_CONFIG, AnalysisConfig
from graph.analysis.scopes import Scope
from graph.analysis.suite import (
    AnalysisReport,
    UnknownArea,
    UnknownScope,
    analyse,
    run_analyses,
    within_area,
)

__all__ = [
    "DEFAULT_CONFIG",
    "AnalysisConfig",
    "AnalysisReport",
    "Scope",
    "UnknownArea",
    "UnknownScope",
    "analyse",
    "run_analyses",
    "within_area",
]
