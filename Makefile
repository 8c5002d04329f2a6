# One task table for people and CI. `make run` and `make test` set up everything they need.
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
RUN := $(UV) run --frozen

.PHONY: run test setup lint typecheck format unit bench migrate clean postgres differential webui webcheck web-types chromium screenshots app app-screenshots xvfb

# The web UI (frontend/) is built into kleio_server/webui whenever its sources change.
WEB_SOURCES := $(shell find frontend/src frontend/scripts -type f 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts frontend/tsconfig.json frontend/package.json
WEB_BUILD := kleio_server/webui/index.html

$(TOOLS)/bin/uv:
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen
	touch $@

setup: .venv/.synced

frontend/node_modules/.installed: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

$(WEB_BUILD): frontend/node_modules/.installed $(WEB_SOURCES)
	cd frontend && npm run build

webui: $(WEB_BUILD)  ## build the web UI (fails over the bundle budget)

webcheck: frontend/node_modules/.installed  ## the web UI's type check and unit tests
	cd frontend && npx tsc --noEmit && npx vitest run

web-types: setup frontend/node_modules/.installed  ## regenerate frontend/src/api from the OpenAPI
	$(RUN) python scripts/web_types.py

chromium:  ## Debian's chromium for the Playwright tests (installed with apt-get if missing)
	@scripts/ensure-chromium

screenshots: setup postgres webui chromium  ## every page of the web UI, as PNGs in build/screenshots
	$(RUN) python -m tests.web.screenshots build/screenshots

xvfb:  ## Xvfb and the X libraries Qt needs, for the app's screenshots (apt-get if missing)
	@scripts/ensure-xvfb

app: setup  ## the desktop app (kleio-desktop) on KLEIO_HOME or the platform's data directory
	$(RUN) kleio-desktop

app-screenshots: setup xvfb  ## every page of the desktop app, light and dark, as PNGs in build/app-screenshots
	KLEIO_TOKEN_STORE=file xvfb-run -a -s "-screen 0 1920x1200x24" $(RUN) python -m tests.desktop.ui.screenshots build/app-screenshots

run: setup webui  ## the sync server on the embedded SQLite default, local mode
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

# The Qt app's tests run in a process of their own: Qt objects a UI test leaves behind are
# still alive when pytest-qt processes Qt events around every later test (tests/conftest.py
# refuses a run that mixes the two).
unit: setup postgres webui chromium
ifeq ($(strip $(PYTEST_ARGS)),)
	$(RUN) pytest --ignore=tests/desktop/ui
	$(RUN) pytest tests/desktop/ui
else
	$(RUN) pytest $(PYTEST_ARGS)
endif

test: lint typecheck webcheck unit  ## the whole suite: lint, types, import contracts, tests on SQLite and PostgreSQL

KLEIO_DIFF_EXAMPLES ?= 100
differential: setup postgres  ## the differential tests of served numbers, long: KLEIO_DIFF_EXAMPLES histories each, shrunk
	KLEIO_DIFF_EXAMPLES=$(KLEIO_DIFF_EXAMPLES) KLEIO_DIFF_SHRINK=1 $(RUN) pytest tests/differential --timeout=0 $(PYTEST_ARGS)

bench: setup postgres webui chromium  ## performance figures, printed as a table (not pass/fail)
	$(RUN) python -m tests.benchmarks $(BENCH_ARGS)

migrate: setup
	$(RUN) kleio-server migrate

clean:
	rm -rf .venv $(TOOLS) .pytest_cache .mypy_cache .ruff_cache frontend/node_modules kleio_server/webui
