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

# The service tests that pass on the team server run a second time there (tests/
# pg_backend.py; the local PostgreSQL, which .ci/run starts): `make unit-pg`, or with
# PG_SUITE=tests/casework for the whole service suite (see README, "Tests on PostgreSQL").
PG_SUITE ?= tests/casework/people/test_people.py tests/casework/cases/test_caselist.py \
	tests/casework/asb/test_ladder_stateful.py \
	tests/casework/cli/test_cli_faults.py tests/casework/core/test_csv_strict.py \
	tests/casework/core/test_permissions.py tests/casework/lifecycle/test_trigger_people.py \
	tests/casework/panels/test_review_tasks.py \
	tests/casework/trigger/test_annual_return_periods.py \
	tests/casework/trigger/test_outcome_letters.py tests/casework/trigger/test_same_incident.py \
	tests/casework/trigger/test_applications.py tests/casework/panels/test_mart.py \
	tests/casework/cases/test_tasks.py tests/casework/cases/test_letter_templates.py

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
