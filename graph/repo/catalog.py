"""The remaining directory hop: the narrower Leistungsbereiche."""

from __future__ import annotations

from graph.repo.includes import hop

NARROWER = hop("Category", "narrower")
