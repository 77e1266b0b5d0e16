# Corridor: `make demo` runs the 2022 scenario end to end; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCENARIO := scenarios/ukraine-2022-03-07.yaml
OUT := out
WEB := src/corridor/web
PORT ?= 8765
DEMO_DB := $(OUT)/demo.db

.PHONY: install demo basemap serve stop test lint bench bench-country clean

install: $(VENV)/.installed $(WEB)/node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python >= 3.11 is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The dashboard's map library and the API docs' Swagger UI come from npm, pinned by the lockfile,
# served by the app. No package needs an install script (one would only report usage).
$(WEB)/node_modules/.installed: $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

demo: install
	@mkdir -p $(OUT)
	$(BIN)/corridor validate $(SCENARIO)
	$(BIN)/corridor network info data/ukraine-2022/roads-schematic.osm
	$(BIN)/corridor negotiate $(SCENARIO) --html $(OUT)/negotiation.html \
		--geojson $(OUT)/corridors.geojson
	$(BIN)/corridor plan $(SCENARIO) --plots $(OUT)
	@$(MAKE) --no-print-directory serve
	$(BIN)/python tools/screenshots.py --url http://127.0.0.1:$(PORT)/ \
		--tokens $(OUT)/demo-tokens.txt --user mediator --out $(OUT)

# The dashboard's offline basemap of the scenario (a no-op while its inputs are unchanged).
basemap: install
	@mkdir -p $(OUT)
	$(BIN)/corridor tiles build $(SCENARIO) -o $(OUT)/basemap.pmtiles

# A fresh demo store with the talks of 2022, one user per role, and the dashboard on PORT.
# The seed refuses to replace key files, so the old keys go with the old store.
serve: DEMO_KEYS := $(OUT)/demo-keys
serve: install stop basemap
	@mkdir -p $(OUT)
	@rm -rf $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_KEYS)
	@$(BIN)/corridor admin seed-2022 --db $(DEMO_DB) --scenario $(SCENARIO) \
		--keys $(DEMO_KEYS) >/dev/null
	@: > $(OUT)/demo-tokens.txt
	@for spec in "mediator facilitator" "ua-liaison liaison UA" "ru-liaison liaison RU" \
		"icrc-operator operator" "observer observer"; do \
		set -- $$spec; \
		token=$$($(BIN)/corridor admin user add $$1 --role $$2 $${3:+--party $$3} \
			--db $(DEMO_DB) --json | $(BIN)/python -c 'import json,sys; print(json.load(sys.stdin)["token"])'); \
		echo "$$1 ($$2$${3:+ $$3}): $$token" >> $(OUT)/demo-tokens.txt; \
	done
	@nohup $(BIN)/corridor serve --db $(DEMO_DB) --scenario $(SCENARIO) --port $(PORT) \
		--basemap $(OUT)/basemap.pmtiles \
		> $(OUT)/serve.log 2>&1 & echo $$! > $(OUT)/serve.pid
	@for i in $$(seq 100); do $(BIN)/python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$(PORT)/openapi.json', timeout=1)" 2>/dev/null && break; sleep 0.2; done
	@echo
	@echo "Dashboard: http://127.0.0.1:$(PORT)/  (2022 scenario loaded; log in with a token from $(OUT)/demo-tokens.txt)"
	@cat $(OUT)/demo-tokens.txt
	@echo "Signing keys of UA and RU, for corridor admin sign --party UA/RU --key: $(DEMO_KEYS)/UA.key, $(DEMO_KEYS)/RU.key"
	@echo "Stop the server with: make stop"

stop:
	@if [ -f $(OUT)/serve.pid ]; then kill $$(cat $(OUT)/serve.pid) 2>/dev/null || true; rm -f $(OUT)/serve.pid; fi

lint: install
	$(BIN)/ruff check src tests bench tools
	$(BIN)/mypy

test: install lint
	$(BIN)/pytest

bench: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	for b in $(filter-out bench/bench_country.py,$(wildcard bench/bench_*.py)); do \
		$(BIN)/python $$b || exit 1; done

# Country-scale import and routing at 5, 20 and 60 million OSM nodes against pyosmium, OSMnx,
# OSRM and Valhalla (bench/results/country.md). Over an hour on 2 cores and up to ~8 GiB: run it
# alone. The tiled input files are built once into bench/.cache/ (git-ignored) and reused.
bench-country: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	nice -n 10 $(BIN)/python bench/bench_country.py --sizes 5,20,60 --notes bench/country-notes.md

clean: stop
	rm -rf $(VENV) $(OUT) $(WEB)/node_modules .pytest_cache .mypy_cache .ruff_cache
