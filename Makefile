# `make run` and `make test` each do all the set-up they need: system packages (only where missing), .venv, the
# project and its dev tools. `make run` then plays the main session; `make test` runs every check CI runs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint setup sounds clean bench

run: $(STAMP)
	@# exit status 3 means no audio output: the message says what to do instead, so make stops quietly there
	@$(BIN)/coach psoas --side right || [ $$? -eq 3 ]

test: $(STAMP) lint
	$(BIN)/python scripts/make_sounds.py --check
	$(BIN)/pytest

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
	$(BIN)/python -m pip install --quiet -c constraints-dev.txt -e '.[dev,plot]'
	@touch $@

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache

bench: $(STAMP)
	$(BIN)/python scripts/bench.py
