# Provider Portal: `make run` starts everything with demo data; `make test` runs every check.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $$HOME/.local/bin/uv)

.PHONY: run test setup lint typecheck architecture bench-backbone asyncapi config-doc

run: setup
	$(UV) run python -m devtools.run

test: setup lint typecheck architecture
	$(UV) run pytest

setup:
	@bash scripts/setup.sh

lint:
	$(UV) run ruff check .
	$(UV) run ruff format --check .

typecheck:
	$(UV) run mypy shared gateway services

architecture:
	$(UV) run lint-imports

asyncapi:
	$(UV) run python -m devtools.asyncapi

bench-backbone: setup
	$(UV) run python -m bench.backbone

config-doc:
	$(UV) run python -m devtools.configdoc
