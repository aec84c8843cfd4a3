# The two commands: `make local` runs OMS on this machine, `make test` proves it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test local lint typecheck unit openapi synth bench clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The browser tests drive Debian's chromium. As root or with CI=true it is installed when missing; otherwise
# the tests skip and this says how to enable them.
CHROMIUM ?= /usr/bin/chromium

browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  if [ "$$(id -u)" = 0 ] || [ "$$CI" = true ]; then \
	    echo "Installing chromium for the browser tests (apt-get)"; \
	    $$SUDO apt-get update -qq && \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	  else \
	    echo "Browser tests will skip: no $(CHROMIUM). Enable them: sudo apt-get install chromium (or CI=true make test)"; \
	  fi; \
	fi

test: $(STAMP) browser
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
