# The two commands a newcomer runs: `make demo` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint format typecheck system-deps venv translations clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

## Debian packages the tests and the demo need (chromium, espeak-ng, postgresql, libreoffice).
system-deps:
	scripts/install-system-deps.sh

## Compile the gettext catalogues (.po -> .mo) that the kiosk loads.
translations: $(STAMP)
	$(BIN)/python -m kiosk.i18n compile

test: system-deps venv translations lint typecheck
	scripts/with-throwaway-postgres.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

demo: system-deps venv translations
	$(BIN)/python -m scripts.demo

bench: system-deps venv translations
	scripts/with-throwaway-postgres.sh $(BIN)/python -m benchmarks

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: venv
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
