# Everything a contributor or CI needs. Only Python 3.11+ is assumed: `setup` installs uv
# with pip, or, where pip refuses (PEP 668: a distribution's own Python), into a private
# venv (.uv-bootstrap); uv then builds the project environment from uv.lock.
PYTHON ?= python3
BOOTSTRAP := .uv-bootstrap
UV_SPEC := 'uv>=0.9,<1'
# Expanded when each recipe runs, so it sees the bootstrap venv once setup made it.
UV = $(if $(wildcard $(BOOTSTRAP)/bin/uv),$(BOOTSTRAP)/bin/uv,$(PYTHON) -m uv)
RUN = $(UV) run --frozen

.PHONY: setup uv test pytest lint format typecheck schemas example bench clean

# Two targets: make expands a whole recipe before running it, so `sync` must come after.
setup: uv
	$(UV) sync --frozen --compile-bytecode

uv:
	@if [ -x $(BOOTSTRAP)/bin/uv ]; then :; \
	elif $(PYTHON) -m pip install --quiet --disable-pip-version-check $(UV_SPEC); then :; \
	else echo "setup: pip refused (PEP 668?); installing uv into $(BOOTSTRAP)/"; \
	  $(PYTHON) -m venv $(BOOTSTRAP) && \
	  $(BOOTSTRAP)/bin/pip install --quiet --disable-pip-version-check $(UV_SPEC); fi

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
	$(UV) run --frozen python bench/bench_growth.py

clean:
	rm -rf .venv $(BOOTSTRAP) .mypy_cache .ruff_cache bench/results
