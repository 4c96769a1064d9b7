"""Browser tests (Playwright + Debian's Chromium)."""
