# The two commands of the README. Everything else is a helper of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint venv bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/tongxin db upgrade
	exec $(BIN)/tongxin serve

lint: $(STAMP)
	$(BIN)/ruff check bot handlers schedules storage tests bench
	$(BIN)/ruff format --check bot handlers schedules storage tests bench
	$(BIN)/mypy

# The suite runs against SQLite and a throwaway PostgreSQL 15 cluster that
# scripts/with-postgres.sh starts and always removes.
test: lint
	scripts/ensure-browser.sh
	TONGXIN_TEST_REQUIRE_PG=1 scripts/with-postgres.sh $(BIN)/python -m pytest -q -ra $(PYTEST_ARGS)

bench: $(STAMP)
	scripts/with-postgres.sh $(BIN)/python -m bench $(BENCH)
