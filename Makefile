# The two set-up commands are `make demo` and `make test`; both build .venv/ themselves.
SHELL := /bin/bash
PYTHON ?= python3
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/.venv
UV := .tools/bin/uv
BIN := .venv/bin

.PHONY: demo test lint pytest bench venv system-deps clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

venv: .venv/.synced

system-deps:
	@bash scripts/system-deps.sh

demo: venv system-deps
	$(BIN)/callcenter demo

lint: venv
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

pytest: venv system-deps
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint pytest

bench: venv system-deps
	$(BIN)/python -m bench

clean:
	rm -rf .venv .tools var .pytest_cache .mypy_cache .ruff_cache
