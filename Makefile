# Corridor: `make demo` runs the 2022 scenario end to end; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCENARIO := scenarios/ukraine-2022-03-07.yaml
OUT := out

.PHONY: install demo test lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python >= 3.11 is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: install
	@mkdir -p $(OUT)
	$(BIN)/corridor validate $(SCENARIO)
	$(BIN)/corridor network info data/ukraine-2022/roads-schematic.osm
	$(BIN)/corridor negotiate $(SCENARIO) --html $(OUT)/negotiation.html \
		--geojson $(OUT)/corridors.geojson
	$(BIN)/corridor plan $(SCENARIO) --plots $(OUT)
	@echo "Report with map: $(OUT)/negotiation.html; timeline plots: $(OUT)/plan-*.png"

lint: install
	$(BIN)/ruff check src tests bench tools
	$(BIN)/mypy

test: install lint
	$(BIN)/pytest

bench: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
