# `make run` and `make test` each do all the set-up they need: system packages (only where missing), .venv, the
# project and its dev tools. `make run` then plays the main session; `make test` runs every check CI runs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# setuptools says "Editable installation ... Please be careful with folders in your working directory ..." on every
# editable install of a project laid out as this one is (pip shows it as a BuildBackendWarning). It is only
# information, so that one warning is filtered by its first words; pip's errors, and any other warning from the
# build, still show (tests/test_setup.py).
INSTALL = python -W 'ignore:Editable installation.:UserWarning' -m pip install --quiet -c constraints-dev.txt \
	-e '.[dev,plot,paper]'

# The other supported Pythons found here (3.11, 3.12, 3.13, on the PATH or under ~/.pyenv/versions; see
# scripts/pythons.sh), as version:path. Each gets a venv of its own, .venv-3.X. Lint, mypy and the sounds check run
# once, on the default Python.
PYTHONS := $(shell sh scripts/pythons.sh $(PYTHON))
OTHERS := $(foreach found,$(PYTHONS),$(firstword $(subst :, ,$(found))))
python_for = $(word 2,$(subst :, ,$(filter $(1):%,$(PYTHONS))))
DEFAULT := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')

.PHONY: run test lint setup sounds pictures paper clean bench

run: $(STAMP)
	@# exit status 3 means no audio output: the message says what to do instead, so make stops quietly there
	@$(BIN)/coach psoas --side right || [ $$? -eq 3 ]

# The default Python runs every test. The other Pythons found run the tests that do not go through the real speech
# engines, encoder, sound server or bus (not marked e2e or realtime: the same code, and what differs between Python
# versions), at the same time, each into a log that is shown if it fails. They run at the lowest priority (nice 19):
# they take the processor time the default Python's tests leave (its real-time playback mostly waits), and never
# delay those tests. Ctrl-C stops them all.
test: $(STAMP) lint $(OTHERS:%=.venv-%/.installed)
	$(BIN)/python scripts/make_sounds.py --check
	@cache=$$(mktemp -d); logs=$$(mktemp -d); pids=""; jobs=""; \
	trap 'kill $$pids 2>/dev/null; rm -rf "$$cache" "$$logs"' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; \
	export COACH_TEST_SPEECH_CACHE="$$cache"; \
	for version in $(OTHERS); do \
	    nice -n 19 .venv-$$version/bin/pytest -q -p no:cacheprovider -m "not realtime and not e2e" \
	        >"$$logs/$$version" 2>&1 & \
	    pids="$$pids $$!"; jobs="$$jobs $$!:$$version"; \
	done; \
	failed=0; $(BIN)/pytest || failed=1; \
	for job in $$jobs; do \
	    version=$${job#*:}; \
	    if wait $${job%%:*}; then echo "pytest on Python $$version: $$(tail -n 1 "$$logs/$$version")"; \
	    else cat "$$logs/$$version"; echo "pytest on Python $$version failed"; failed=1; fi; \
	done; \
	pids=""; exit $$failed
	@echo "Tests passed on Python $(DEFAULT) $(OTHERS)."

lint: $(STAMP)
	$(BIN)/ruff check coach scripts tests
	$(BIN)/ruff format --check coach scripts tests
	$(BIN)/mypy

setup: $(STAMP)

sounds: $(STAMP)
	$(BIN)/python scripts/make_sounds.py

# The routines' pictures in docs/pictures, as coach draws them (a test checks they are current).
pictures: $(STAMP)
	@for routine in iliacus psoas psoas-gentle psoas-partner; do for side in right left; do \
	    $(BIN)/coach show $$routine --side $$side --picture docs/pictures/$$routine-$$side.png || exit 1; \
	done; done

# The handout and the report README.md shows, as coach makes them: psoas's handout, and the report on a sample log
# of two weeks (scripts/demo_log.py), each page as a PNG (poppler's pdftoppm).
paper: $(STAMP)
	@folder=$$(mktemp -d); trap 'rm -rf "$$folder"' EXIT; \
	$(BIN)/coach handout psoas --side right --paper a4 --from 2026-11-23 -o "$$folder/handout.pdf" && \
	$(BIN)/python scripts/demo_log.py "$$folder/data" && \
	COACH_DATA_DIR="$$folder/data" $(BIN)/coach report psoas --from 2026-11-23 --to 2026-12-06 \
	    -o "$$folder/report.pdf" && \
	mkdir -p docs/paper && rm -f docs/paper/*.png && \
	pdftoppm -png -r 75 "$$folder/handout.pdf" docs/paper/handout && \
	pdftoppm -png -r 75 "$$folder/report.pdf" docs/paper/report

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
