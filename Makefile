# The two commands a newcomer runs: `make demo` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint format typecheck system-deps venv translations lock clean

# Three hash-pinned locks, one per install: requirements/kiosk.lock (a kiosk),
# requirements/server.lock (the central server) and requirements/dev.lock (both + test tools;
# `make test` and `make demo`). requirements/build-tools.lock pins pip, setuptools and wheel,
# installed first so that every build (an sdist in a lock, the app itself) uses them.
LOCK := requirements/dev.lock
LOCK_SIDES := kiosk server dev
# `make lock` keeps every pin it can; `make lock LOCK_ARGS=--upgrade` (or
# `LOCK_ARGS="--upgrade-package NAME"`) moves pins forward.
LOCK_ARGS ?=

$(STAMP): requirements/build-tools.lock $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements/build-tools.lock
	$(BIN)/pip install --quiet --require-hashes --no-build-isolation -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
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

## Recompile the locks after a change to the dependencies in pyproject.toml (universal: one
## lock serves Python 3.11-3.13 on any platform).
lock: venv
	$(BIN)/uv pip compile requirements/build-tools.in --universal --generate-hashes \
		--python-version 3.11 --quiet $(LOCK_ARGS) -o requirements/build-tools.lock
	for side in $(LOCK_SIDES); do \
		$(BIN)/uv pip compile pyproject.toml requirements/build-tools.in --extra $$side \
			--universal --generate-hashes --python-version 3.11 --quiet $(LOCK_ARGS) \
			-o requirements/$$side.lock || exit 1; \
	done
	# Each lock must install from wheels on every Python we support (feedgen and docopt, which
	# num2words needs, ship no wheel: both are pure Python and build with the pinned setuptools).
	for py in 3.11 3.12 3.13; do for side in $(LOCK_SIDES); do \
		$(BIN)/uv pip compile requirements/$$side.lock --no-deps --quiet -o /dev/null \
			--python-version $$py --python-platform x86_64-manylinux_2_28 \
			--only-binary :all: --no-binary feedgen --no-binary docopt || exit 1; \
	done; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
