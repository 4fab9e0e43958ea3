# Two commands for a fresh machine: `make run` serves the app, `make test` runs every test.
# Both create .venv when it is missing and reinstall only when pyproject.toml changes.

PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
BIN := $(VENV)/bin
PIP_FLAGS ?= --disable-pip-version-check --quiet

.PHONY: run test lint format bench bench-load clean

run: $(VENV)/.installed
	$(BIN)/gradscape serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check backend tests benchmarks
	$(BIN)/ruff format --check backend tests benchmarks

format: $(VENV)/.installed-test
	$(BIN)/ruff format backend tests benchmarks
	$(BIN)/ruff check --fix backend tests benchmarks

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_networks.py
	$(BIN)/python benchmarks/bench_formula.py
	$(BIN)/python benchmarks/bench_frontend.py
	$(BIN)/python benchmarks/bench_sweeps.py

bench-load: $(VENV)/.installed-test  # about 2 minutes: 100 clients, 30 s, 1 then 2 workers
	$(BIN)/python benchmarks/bench_load.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_FLAGS) --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install $(PIP_FLAGS) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install $(PIP_FLAGS) -e '.[test]'
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
