# Every target sets up what it needs first (uv, then the locked workspace).
UV ?= $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: uv setup demo test check lint typecheck format bench bench-scale-out docs dist clean

# Wheels land here (`make dist DIST=elsewhere` to choose).
DIST ?= dist

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

setup: uv
	$(UV) sync --locked --all-packages

demo: setup
	$(UV) run infermux demo

# Two pytest workers: the suite is CPU-bound and this is a 2-core machine (CI's size).
PYTEST_WORKERS ?= 2
# The slow groups (see the markers in pyproject.toml) that `make check` leaves out.
SLOW_GROUPS = packaging or load or fuzz or docs or bench or slow

# Everything CI runs: lint, types, and the whole offline suite, slow groups included.
test: setup lint
	@bash scripts/ensure_chromium.sh
	$(UV) run pytest -n $(PYTEST_WORKERS)

# The inner loop: lint, types, unit and provider-replay tests, without the slow groups.
check: setup lint
	$(UV) run pytest -n $(PYTEST_WORKERS) -m "not ($(SLOW_GROUPS))"

lint: setup
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy
	$(UV) run mypy --strict tests/typing/user_code.py
	PYRIGHT_PYTHON_IGNORE_WARNINGS=1 PYRIGHT_PYTHON_GLOBAL_NODE=0 $(UV) run pyright
	$(UV) run python scripts/generate_async_client.py --check
	$(UV) run python scripts/generate_task_types.py --check

format: setup
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

bench: setup
	$(UV) run python benchmarks/run.py

# Ray and Dask against a local stub: scaling with workers, the shared limit (issue 16).
bench-scale-out: setup
	$(UV) run python benchmarks/scale_out.py

docs: setup
	$(UV) run mkdocs build --strict

# Every wheel of the workspace (the core and each plugin) into $(DIST)/, for
# `pip install dist/infermux-*.whl dist/infermux_together-*.whl` on any machine.
# Stale infermux wheels go first so a glob never picks an old version.
dist: uv
	rm -f $(DIST)/infermux-*.whl $(DIST)/infermux_*.whl
	$(UV) build --wheel --all-packages --out-dir $(DIST)

clean:
	rm -rf .venv dist build site .pytest_cache .mypy_cache .ruff_cache demo-output
