# Set-up is part of every target: a fresh clone needs only `make demo` or `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test lint up down db bench chaos mutate mutate-again clean

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

## Mutation testing (mutmut) of worker/db, domain, ratelimit, services and providers: the
## score per module against its target and the surviving mutants (README, "Mutation testing").
## MUTATE picks mutants by name, e.g. MUTATE="worker.db.batches.*"; MUTATE_JOBS run at once.
MUTATE ?=
MUTATE_JOBS ?= 2
MUTATE_REDIS_PORT ?= 6391
MUTATE_PG_PORT ?= 5439
MUTATE_PG_DIR ?= /tmp/bulksms-mutate-pg-$(MUTATE_PG_PORT)
SEEDS_DIR ?= $(abspath ../shared/seeds)
mutate: $(STAMP)
	mkdir -p var
	@# A Redis of the run's own: each mutmut child takes a database of it (tests/isolation.py).
	redis-server --port $(MUTATE_REDIS_PORT) --bind 127.0.0.1 --save "" --appendonly no \
		--daemonize yes --logfile $(CURDIR)/var/mutate-redis.log
	@# Verdicts kept from earlier runs: only changed functions are tested again.
	$(BIN)/python -m scripts.mutation_results restore
	@# A PostgreSQL of the run's own, without fsync (scripts/scratch_pg.sh says why).
	scripts/scratch_pg.sh start $(MUTATE_PG_PORT) $(MUTATE_PG_DIR)
	set -f; BULKSMS_MUTATE_REDIS_URL=redis://127.0.0.1:$(MUTATE_REDIS_PORT) \
		BULKSMS_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:$(MUTATE_PG_PORT)/test \
		BULKSMS_SEEDS_DIR=$${BULKSMS_SEEDS_DIR:-$(SEEDS_DIR)} \
		$(BIN)/python -m scripts.mutmut_run run --max-children $(MUTATE_JOBS) $(MUTATE); status=$$?; \
		redis-cli -p $(MUTATE_REDIS_PORT) shutdown nosave >/dev/null; \
		scripts/scratch_pg.sh stop $(MUTATE_PG_DIR); \
		$(BIN)/python -m scripts.mutation_results save; exit $$status
	set -f; $(BIN)/python -m scripts.mutation_report $(MUTATE)

## After adding tests: test again the mutants that survived or that no test reached.
mutate-again: $(STAMP)
	$(BIN)/python -m scripts.mutation_results restore
	$(MAKE) mutate MUTATE="$$($(BIN)/python -m scripts.mutation_results redo)"

down: $(STAMP)
	$(BIN)/python -m scripts.stack down

clean: down
	rm -rf var
