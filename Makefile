# The two commands: `make run` (bot + Teams emulator, SQLite, demo data) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 3978
PLAYGROUND_PORT ?= 56150
# The demo person you are in the Playground (see communities/demo/people.csv).
ifeq ($(origin AS),default)  # make predefines AS (the assembler)
AS := priya.shah@kent-demo.example.org
endif
export DATABASE_URL ?= sqlite+aiosqlite:///./var/cosbot.db

.PHONY: install run test bench lint fmt clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed node_modules/.installed

run: install
	@mkdir -p var
	$(BIN)/cosbot db upgrade
	$(BIN)/cosbot demo
	$(BIN)/python -m bot.cli.devserver --as "$(AS)" --port $(PORT) --playground-port $(PLAYGROUND_PORT)

# The suite runs on every CPU (at most 4 workers), a test file per worker at a time: module-scoped
# fixtures (the e2e browser) are made once per file, and each worker starts its own PostgreSQL.
TEST_WORKERS ?= auto
test: install
	$(BIN)/pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist loadfile

bench: install
	$(BIN)/python bench/turns.py
	$(BIN)/python bench/broadcast.py
	$(BIN)/python bench/memory.py
	$(BIN)/python bench/timeline.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
