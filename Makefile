# verbund: `make run` serves the demo, `make test` runs the whole suite; both set up what is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
VERBUND := $(BIN)/verbund
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_SIZE ?= city

.PHONY: setup run test test-fast test-browser lint format stop neo4j-status demo clean-state vendor lock

# The browser tests (tests/browser) drive Debian's Chromium; Playwright's own browser download
# is not used. Missing on a fresh machine: installed via apt (root only, as in CI).
CHROMIUM := /usr/bin/chromium
define ensure_chromium
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "Chromium fehlt ($(CHROMIUM)); die Browser-Tests brauchen es." >&2; \
	    echo "Bitte als root installieren: apt-get update && apt-get install -y chromium" >&2; \
	    exit 1; \
	  fi; \
	  echo "Chromium fehlt; installiere es mit apt-get."; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium || exit 1; \
	fi
endef

# Installs exactly the locked versions (with hashes), then verbund itself without resolving
# again: the set that passed the tests is the set that runs. `make lock` renews the lock.
LOCK := requirements/dev.lock
$(BIN)/.installed: pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "verbund braucht Python 3.11 oder neuer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install -q --no-deps -e .
	$(BIN)/pip check
	@touch $@

# Resolves pyproject.toml's ranges anew into the lock (needs the package index); then run
# `make test` before committing the new lock.
lock:
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/pip install -q 'uv>=0.9,<0.10'
	$(VENV)-lock/bin/uv pip compile pyproject.toml --extra dev --generate-hashes \
	  --python-version 3.11 --no-header --upgrade -o $(LOCK)
	rm -rf $(VENV)-lock

setup: $(BIN)/.installed
	$(VERBUND) neo4j install
	$(VERBUND) neo4j start
	$(VERBUND) migrate

run: setup
	$(VERBUND) demo load --size $(DEMO_SIZE) --if-empty
	$(VERBUND) serve --host $(HOST) --port $(PORT)

test: setup lint
	$(ensure_chromium)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The edit–test loop: the tests that need no Neo4j, no browser and no restart (`--fast` in
# tests/conftest.py); `make test` still runs everything.
test-fast: $(BIN)/.installed
	$(BIN)/python -m pytest --fast -q $(PYTEST_ARGS)

# Only the browser tests (quicker while working on the web pages).
test-browser: setup
	$(ensure_chromium)
	$(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

stop:
	@if [ -x $(VERBUND) ]; then $(VERBUND) neo4j stop; else echo "nichts zu stoppen"; fi

neo4j-status: $(BIN)/.installed
	$(VERBUND) neo4j status

# Deletes the local Neo4j's data and password (not the jar cache).
clean-state: stop
	rm -rf .verbund

# Front-end assets from npm into api/web/static/vendor (pins in the script; needs npm).
vendor: ; $(PYTHON) scripts/vendor_assets.py
