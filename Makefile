# FilmFlare: every target bootstraps its own tools, so a fresh machine needs only Python 3.11+ and make.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)

.DEFAULT_GOAL := help

.PHONY: help install run test bench check lint format typecheck imports clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(BIN)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(BIN)/.synced ## Create .venv with the locked dependencies

run: install ## Prepare the backends, seed the demo catalog if empty, and serve
	$(BIN)/filmflare init
	$(BIN)/filmflare seed
	$(BIN)/filmflare serve

test: install ## Run the test suite
	$(BIN)/pytest

bench: install ## Benchmarks beside their references, into bench/results/ (BENCH_ARGS=--quick: a smoke run)
	bash scripts/bench.sh $(BENCH_ARGS)

lint: install ## ruff check and format check
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: install ## Format the code
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

typecheck: install ## mypy --strict
	$(BIN)/mypy

imports: install ## The architecture's layers (import-linter)
	$(BIN)/lint-imports

check: lint typecheck imports test ## Everything CI runs

clean: ## Remove the virtualenvs and caches
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache
