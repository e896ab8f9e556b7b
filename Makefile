# Set-up is part of every target: a fresh clone needs only `make demo` or `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test lint up down db bench chaos clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## The main job: a 10,000-recipient campaign end to end against the simulator.
demo: $(STAMP)
	$(BIN)/python -m scripts.demo

## The whole suite: lint, import layers, unit, simulator and integration tests.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

db: $(STAMP)
	$(BIN)/bulksms db upgrade

## Simulator, worker, beat and Flower (http://127.0.0.1:5555) in the background.
up: db
	$(BIN)/python -m scripts.stack up

## Dispatch 10k/100k/1M, results, per-recipient baseline, import, limiter, polling: one table.
bench: $(STAMP)
	$(BIN)/python -m bench

## 20,000 recipients while pool processes, the worker, the broker and the provider fail:
## recipients lost, duplicate sends, time to complete and faults, one table (docs/chaos.md).
## CHAOS_ARGS passes flags on, e.g. CHAOS_ARGS="--provider nhn --seed 2".
chaos: $(STAMP)
	$(BIN)/python -m bench.chaos $(CHAOS_ARGS)

down: $(STAMP)
	$(BIN)/python -m scripts.stack down

clean: down
	rm -rf var
