# The two commands: `make local` runs OMS on this machine, `make test` proves it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test local lint typecheck unit openapi synth bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/ruff format --check functions infra local tests benchmarks
	$(BIN)/ruff check functions infra local tests benchmarks
	$(BIN)/mypy functions local
	$(BIN)/python -m pytest -n 2 --dist loadgroup

local: $(STAMP)
	$(BIN)/oms local

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

# Numbers, not tests: cost per order, intake latency, cold starts, throughput, scale (docs/performance.md).
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

openapi: $(STAMP)
	$(BIN)/python -m local.openapi

synth: $(STAMP)
	$(BIN)/python -m infra.app

clean:
	rm -rf $(VENV) cdk.out .cache .pytest_cache .mypy_cache .ruff_cache
