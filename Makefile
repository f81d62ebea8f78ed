# aarlab: two commands on a fresh machine.
#   make run    set up, then run the team end to end on the embedded default
#   make test   set up, then lint, type-check and run the whole test suite
.PHONY: setup setup-test run test lint typecheck bench clean

VENV ?= .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup.sh --test

run: setup
	$(BIN)/aarlab run --researcher builtin=4 --minutes 5

lint: setup
	$(BIN)/ruff check src tests bench scripts

typecheck: setup
	$(BIN)/mypy

test: setup-test lint typecheck
	AARLAB_TEST_POSTGRES_URL=$${AARLAB_TEST_POSTGRES_URL:-$(PG_URL)} $(BIN)/pytest -q

bench: setup
	$(BIN)/python bench/testbed.py
	$(BIN)/python bench/hub.py

clean:
	rm -rf $(VENV) .aarlab runs .pytest_cache .mypy_cache .ruff_cache
