# Every target sets up what it needs first (uv, then the locked workspace).
UV ?= $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: setup demo test lint typecheck format bench docs clean

setup:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --locked --all-packages

demo: setup
	$(UV) run infermux demo

test: setup lint
	$(UV) run pytest

lint: setup
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy
	$(UV) run mypy --strict tests/typing/user_code.py
	$(UV) run python scripts/generate_async_client.py --check

format: setup
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

bench: setup
	$(UV) run python benchmarks/run.py

docs: setup
	$(UV) run mkdocs build --strict

clean:
	rm -rf .venv dist build site .pytest_cache .mypy_cache .ruff_cache demo-output
