# The explorable report of the battle for Shusha/Shushi: `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?=
PARAMS ?=
OUT ?= reports
PAPER ?= A4
RENDER_ARGS := $(if $(DATA),--data $(DATA)) $(if $(PARAMS),-f $(PARAMS)) --out $(OUT)
# A page is rebuilt when the package, the bundled data or its notebook changed; always for your own DATA or PARAMS.
PAGE_INPUTS := $(STAMP) $(wildcard src/chronology/*.py src/chronology/templates/*/* data/*) $(if $(DATA)$(PARAMS),FORCE)

.PHONY: lint help env report handout-pdf test lab bench notebook-references lock clean distclean FORCE preview

help: ## list the targets
	@grep -hE '^[a-zA-Z_.-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  variables: DATA=statements.csv PARAMS=params.yaml OUT=reports PAPER=A4"

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

env: $(STAMP) ## create the Python environment in .venv (once)

report: $(OUT)/report.html $(OUT)/handout.html ## render the report and the handout into reports/ (DATA=..., PARAMS=... for your own)

$(OUT)/report.html: notebooks/report.ipynb $(PAGE_INPUTS)
	$(BIN)/python -m chronology render --notebook report $(RENDER_ARGS)

$(OUT)/handout.html: notebooks/handout.ipynb $(PAGE_INPUTS)
	$(BIN)/python -m chronology render --notebook handout $(RENDER_ARGS)

handout-pdf: $(OUT)/handout.html ## print reports/handout.html to reports/handout.pdf with headless Chromium (PAPER=A4|Letter)
	$(BIN)/python -m chronology pdf --out $(OUT) --paper $(PAPER)

test: $(STAMP) ## run every test: unit, notebooks (nbval), end-to-end render, headless Chromium
	$(BIN)/python -m pytest -q -n auto --dist loadfile --nbval-lax --nbval-current-env -p no:cacheprovider tests notebooks

# Live preview (src/chronology/preview.py)
PORT ?= 8765
preview: $(STAMP) ## serve the report on 127.0.0.1 (PORT=8765), re-rendered on every save of the data (DATA=..., PARAMS=...)
	$(BIN)/python -m chronology preview --port $(PORT) $(if $(DATA),--data $(DATA)) $(if $(PARAMS),-f $(PARAMS))

lint: $(STAMP) ## check the code with ruff (pinned in the test extras)
	$(BIN)/ruff check .

lab: $(STAMP) ## open the notebooks in JupyterLab with the project's environment
	$(BIN)/jupyter lab notebooks

bench: $(STAMP) ## run the speed and scale benchmarks and print their tables
	$(BIN)/python benchmarks/render.py
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/preview.py

notebook-references: $(STAMP) ## re-store the plain-text facts nbval checks in the notebooks (review the diff)
	$(BIN)/python scripts/store_reference_outputs.py

lock: ## re-resolve requirements.lock from pyproject.toml (needs the package registry)
	rm -rf /tmp/chronology-lock && $(PYTHON) -m venv /tmp/chronology-lock
	/tmp/chronology-lock/bin/pip install --quiet -e '.[test]'
	/tmp/chronology-lock/bin/pip freeze --exclude-editable | grep -v '^chronology' > requirements.lock

clean: ## remove rendered reports and caches (keeps the environment)
	find reports -mindepth 1 ! -name .gitkeep -delete
	rm -rf .pytest_cache build

distclean: clean ## also remove the environment
	rm -rf $(VENV)

FORCE:
