# `make run` and `make test` each do all the set-up they need: system packages (only where missing), .venv, the
# project and its dev tools. `make run` then plays the main session; `make test` runs every check CI runs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INSTALL = python -m pip install --quiet -c constraints-dev.txt -e '.[dev,plot]'

# The other supported Pythons found here (3.11, 3.12, 3.13, on the PATH or under ~/.pyenv/versions; see
# scripts/pythons.sh), as version:path. Each gets a venv of its own, .venv-3.X, and `make test` runs the test suite
# on each after the default one. Lint, mypy and the sounds check run once, on the default Python, and so do the tests
# that play in real time through a sound server (marked realtime: about 75 s).
PYTHONS := $(shell sh scripts/pythons.sh $(PYTHON))
OTHERS := $(foreach found,$(PYTHONS),$(firstword $(subst :, ,$(found))))
python_for = $(word 2,$(subst :, ,$(filter $(1):%,$(PYTHONS))))
DEFAULT := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')

.PHONY: run test lint setup sounds clean bench

run: $(STAMP)
	@# exit status 3 means no audio output: the message says what to do instead, so make stops quietly there
	@$(BIN)/coach psoas --side right || [ $$? -eq 3 ]

# The end-to-end session fixture's speech is made once, by the first Python, in a cache the others share; the tests
# that make speech cold (on every Python) have caches of their own.
test: $(STAMP) lint $(OTHERS:%=.venv-%/.installed)
	$(BIN)/python scripts/make_sounds.py --check
	@cache=$$(mktemp -d); trap 'rm -rf "$$cache"' EXIT; export COACH_TEST_SPEECH_CACHE="$$cache"; \
	$(BIN)/pytest || exit 1; \
	for version in $(OTHERS); do \
	    echo "pytest on Python $$version (.venv-$$version)"; \
	    .venv-$$version/bin/pytest -q -m "not realtime" || exit 1; \
	done
	@echo "Tests passed on Python $(DEFAULT) $(OTHERS)."

lint: $(STAMP)
	$(BIN)/ruff check coach scripts tests
	$(BIN)/ruff format --check coach scripts tests
	$(BIN)/mypy

setup: $(STAMP)

sounds: $(STAMP)
	$(BIN)/python scripts/make_sounds.py

$(STAMP): pyproject.toml constraints-dev.txt scripts/system-deps.sh
	@sh scripts/system-deps.sh $(PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/$(INSTALL)
	@touch $@

.venv-%/.installed: pyproject.toml constraints-dev.txt $(STAMP)
	$(call python_for,$*) -m venv .venv-$*
	.venv-$*/bin/python -m pip install --quiet --upgrade pip
	.venv-$*/bin/$(INSTALL)
	@touch $@

clean:
	rm -rf $(VENV) .venv-3.* *.egg-info .pytest_cache .mypy_cache .ruff_cache

bench: $(STAMP)
	$(BIN)/python scripts/bench.py
