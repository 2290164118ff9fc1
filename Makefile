# Provider Portal: `make run` starts everything with demo data; `make test` runs every check.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $$HOME/.local/bin/uv)

.PHONY: run test screenshots setup lint typecheck architecture audit bench-backbone bench-login bench-gateway bench-actuals-import bench-actuals-generate bench-actuals-page bench-payments-run bench-scheduled-payments-page bench-actions-list bench-reports bench-notifications asyncapi config-doc new-service k8s-manifests k8s-smoke

run: setup
	$(UV) run python -m devtools.run

# The browser tests need Chromium: the set-up installs it, and the tests fail (not skip) without it.
test: export PORTAL_SETUP_BROWSER := 1
test: export PORTAL_REQUIRE_BROWSER := 1
# Under coverage, the processes the tests start included (pyproject.toml [tool.coverage.run]); then each
# package's branch coverage against its floor (devtools/coverage_floor.py, docs/testing.md).
# pytest-xdist runs the files on one worker per core (at most 2: a third worker's stack exhausted
# PostgreSQL's 100 connections), each worker with an environment and a
# stack of its own (tests/support/environment.py): the suite takes about half the time on 2 cores.
# The static checks run side by side (the audit mostly waits for PyPI), each one's output kept together.
test: setup
	$(MAKE) --no-print-directory --jobs=4 --output-sync=target lint typecheck architecture audit
	$(UV) run coverage erase
	$(UV) run coverage run -m pytest --numprocesses=auto --maxprocesses=2 --dist=loadfile --durations=25
	$(UV) run coverage combine --quiet
	$(UV) run coverage report --skip-covered --sort=cover
	$(UV) run python -m devtools.coverage_floor

# A PNG of each page at desktop and phone width, in docs/screenshots/ (against a stack of its own).
screenshots: export PORTAL_SETUP_BROWSER := 1
screenshots: setup
	$(UV) run python -m devtools.screenshots

setup:
	@bash scripts/setup.sh

lint:
	$(UV) run ruff check .
	$(UV) run ruff format --check .

typecheck:
	$(UV) run mypy shared gateway services examples

architecture:
	$(UV) run lint-imports

# The locked dependencies against PyPI's vulnerability service: red on a known vulnerability; a warning
# only when the service cannot answer (devtools/audit.py).
audit:
	$(UV) run python -m devtools.audit

asyncapi:
	$(UV) run python -m devtools.asyncapi

bench-backbone: setup
	$(UV) run python -m bench.backbone

bench-login: setup
	$(UV) run python -m bench.login

bench-actuals-import: setup
	$(UV) run python -m bench.actuals_import

# The gateway's read path beside the floor (the service alone) and the naive way; its load generator is
# wrk, Debian's package, which the set-up installs for this target only.
bench-gateway: export PORTAL_SETUP_WRK := 1
bench-gateway: setup
	$(UV) run python -m bench.gateway_read

# The Actuals week page of a 5,000-client service through the gateway, beside the actuals API alone.
bench-actuals-page: setup
	$(UV) run python -m bench.actuals_page

# The Scheduled Payments page of a provider with 500 clients through the gateway, beside the payments API
# alone and the naive way; figures in docs/benchmarks.md.
bench-scheduled-payments-page: setup
	$(UV) run python -m bench.scheduled_payments_page

# A council team's Actions inbox of 100,000 actions across 2,000 providers through the gateway (and a
# provider's Actions page), beside the same SQL through asyncpg and the naive ways; figures in
# docs/benchmarks.md.
bench-actions-list: setup
	$(UV) run python -m bench.actions_list

# Generate Actuals for a service of 5,000 CPLIs beside one INSERT ... SELECT (the floor) and one INSERT
# per line (naive), and the week's page; figures in docs/benchmarks.md.
bench-actuals-generate: setup
	$(UV) run python -m bench.actuals_generate

# A payment run over 50,000 CPLIs and their confirmed weeks beside one SQL aggregate of the same totals
# (the floor) and per-contract Python (naive); figures in docs/benchmarks.md.
bench-payments-run: setup
	$(UV) run python -m bench.payments_run

# Report rendering: the catalogue's remittance advice asked for through the reports API and rendered by
# render worker processes from the seeded read model: 10,000 lines beside raw reportlab (the floor), the
# worker's peak memory at 10,000 and 100,000 lines, 1, 2 and 4 workers on 40 runs with CPU figures, an
# idle small report's click-to-file p95 (`--quick` for a smoke run); figures in docs/benchmarks.md.
bench-reports: setup
	$(UV) run python -m bench.reports_render

# 10,000 notifications from messaging's outbox to a local SMTP sink by the worker's sender, beside a raw
# aiosmtplib loop sending the same mails (the floor); none twice; figures in docs/benchmarks.md.
bench-notifications: setup
	$(UV) run python -m bench.notifications

config-doc:
	$(UV) run python -m devtools.configdoc

# deploy/k8s/base's per-process manifests, from the services and their settings classes (tests/deploy
# fails when the committed ones differ).
k8s-manifests:
	$(UV) run python -m devtools.k8s_manifests

# Not in `make test`: needs Docker, kind, Helm and the network. Builds the image, loads it into a kind
# cluster, installs the operators, applies the dev overlay and checks the portal through its gateway
# (deploy/k8s/smoke.sh, docs/operations.md). The manifests themselves are checked offline by make test.
k8s-smoke:
	bash deploy/k8s/smoke.sh

# A new service with the shape of the others, registered where they are (docs/new-service.md); then the
# new workspace member into uv.lock and the environment, and its settings into docs/configuration.md.
new-service:
	@test -n "$(NAME)" || { echo "usage: make new-service NAME=<name>" >&2; exit 2; }
	$(UV) run python -m devtools.new_service $(NAME)
	$(UV) sync --quiet
	$(UV) run python -m devtools.configdoc
	$(UV) run python -m devtools.k8s_manifests
