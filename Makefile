# The two commands: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench bench-quick system-deps fonts format clean

WEB    := src/alliance/web

$(STAMP): pyproject.toml constraints.txt $(WEB)/package.json $(WEB)/package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	npm ci --prefix $(WEB) --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(STAMP)

## demo: install, then start a JPN node and a USA node on embedded SQLite
demo: $(STAMP) fonts
	$(BIN)/alliance demo

## test: install (PostgreSQL too), then ruff, mypy --strict and pytest on SQLite and PostgreSQL
test: $(STAMP) system-deps lint typecheck unit

system-deps:
	tools/system-deps.sh

# The Japanese fonts the after-action report's plot and PDF need. Not fatal for
# the demo: without them the PDF is refused with a bilingual message and the
# HTML report still opens.
fonts:
	-tools/system-deps.sh fonts

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile --backends=sqlite,postgresql --durations=15

## bench: every benchmark, full size; bench-quick: each under 60 s
bench: $(STAMP) system-deps
	$(BIN)/python -m bench

bench-quick: $(STAMP) system-deps
	$(BIN)/python -m bench --quick

format: $(STAMP)
	$(BIN)/ruff format src tests bench tools
	$(BIN)/ruff check --fix src tests bench tools

clean:
	rm -rf $(VENV) .demo .pgtest .mypy_cache .ruff_cache .pytest_cache
