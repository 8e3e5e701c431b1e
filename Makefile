# Two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck layers unit unit-pg bench wheel-check bundle-check msi-check clean-venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

## Open the application on a demo database of synthetic cases (made once).
run: $(STAMP)
	$(VENV)/bin/casework --demo

## Every check: lint, types, layering, and the whole test suite.
test: $(STAMP)
	bash scripts/system-deps.sh
	$(MAKE) lint typecheck layers unit

lint: $(STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

layers: $(STAMP)
	$(VENV)/bin/lint-imports

# The whole suite runs as of DEFAULT_TODAY (tests/conftest.py, a Tuesday panel day); the
# date-sensitive tests run again on Christmas Day (a bank holiday). More days at will:
# `make unit OTHER_DAYS="2026-12-25 2027-03-29 2027-03-31"`. Two workers (pytest-xdist),
# each test file kept on one worker, keep CI under 30 minutes.
OTHER_DAYS ?= 2026-12-25
PYTEST_WORKERS ?= -n 2 --dist loadfile

# The whole service suite runs a second time on the team server (tests/pg_backend.py; the
# local PostgreSQL, which .ci/run starts): `make unit-pg`, or one file with PG_SUITE=...
PG_SUITE ?= tests/casework

unit: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_WORKERS)
	$(MAKE) unit-pg
	for day in $(OTHER_DAYS); do \
	  echo "== date-sensitive tests as of $$day"; \
	  QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_WORKERS) -q -m dates --today=$$day || exit 1; \
	done

unit-pg: $(STAMP)
	@echo "== service tests on the team server (PostgreSQL)"
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_WORKERS) -q --backend=postgresql $(PG_SUITE)

## Build the wheel and use it from a clean environment outside the checkout.
wheel-check:
	bash scripts/wheel-check.sh

## Build the Linux one-folder bundle (installer/casework.spec) and smoke-test it read-only.
bundle-check:
	bash scripts/bundle-check.sh

## Build the Windows MSI sources with wixl (msitools) against a staged payload.
msi-check:
	bash scripts/msi-check.sh

## Benchmarks (not part of `make test`; figures go in notes).
bench: $(STAMP)
	$(PY) -m benchmarks.run

clean-venv:
	rm -rf $(VENV)
