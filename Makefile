# One task table for people and CI. `make run` and `make test` set up everything they need.
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
RUN := $(UV) run --frozen

.PHONY: run test setup lint typecheck format unit bench migrate clean postgres differential

$(TOOLS)/bin/uv:
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen
	touch $@

setup: .venv/.synced

run: setup  ## the sync server on the embedded SQLite default, local mode
	$(RUN) kleio-server serve

postgres:  ## start the local PostgreSQL if it is down (CI machines start it themselves)
	@scripts/ensure-postgres

lint: setup
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) lint-imports

typecheck: setup
	$(RUN) mypy

format: setup
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

unit: setup postgres
	$(RUN) pytest $(PYTEST_ARGS)

test: lint typecheck unit  ## the whole suite: lint, types, import contracts, tests on SQLite and PostgreSQL

KLEIO_DIFF_EXAMPLES ?= 100
differential: setup postgres  ## the differential tests of served numbers, long: KLEIO_DIFF_EXAMPLES histories each, shrunk
	KLEIO_DIFF_EXAMPLES=$(KLEIO_DIFF_EXAMPLES) KLEIO_DIFF_SHRINK=1 $(RUN) pytest tests/differential --timeout=0 $(PYTEST_ARGS)

bench: setup postgres  ## performance figures, printed as a table (not pass/fail)
	$(RUN) python -m tests.benchmarks $(BENCH_ARGS)

migrate: setup
	$(RUN) kleio-server migrate

clean:
	rm -rf .venv $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
