# Everything a contributor or CI needs. Only Python 3.11+ and pip are assumed:
# `setup` installs uv, and uv builds the project environment from uv.lock.
PYTHON ?= python3
UV := $(PYTHON) -m uv
RUN := $(UV) run --frozen

.PHONY: setup test pytest lint format typecheck schemas example bench clean

setup:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check 'uv>=0.9,<1'
	$(UV) sync --frozen --compile-bytecode

## test: lint, type-check, schemas up to date, then the whole test suite (what CI runs)
test: setup lint typecheck pytest

pytest:
	$(RUN) pytest

lint:
	$(RUN) ruff check dht tests bench tools
	$(RUN) ruff format --check dht tests bench tools

format:
	$(RUN) ruff format dht tests bench tools
	$(RUN) ruff check --fix dht tests bench tools

typecheck:
	$(RUN) mypy

schemas:
	$(RUN) python -m dht.model.schema

## example: the main job: lock the example project, check the lock, apply it, verify the machine, run its tests in the sandbox
example: setup
	cd example && ../.venv/bin/dht lock && ../.venv/bin/dht lock --check && ../.venv/bin/dht apply && ../.venv/bin/dht verify && ../.venv/bin/dht test

bench: setup
	$(UV) run --frozen python bench/bench_lock.py
	$(UV) run --frozen python bench/bench_apply.py
	$(UV) run --frozen python bench/bench_sandbox.py
	$(UV) run --frozen python bench/bench_project.py
	$(UV) run --frozen python bench/bench_diff.py
	$(UV) run --frozen python bench/bench_test.py

clean:
	rm -rf .venv .mypy_cache .ruff_cache bench/results
