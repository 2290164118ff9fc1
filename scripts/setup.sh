#!/usr/bin/env bash
# Installs what `make run` and `make test` need and is missing, and starts PostgreSQL and RabbitMQ
# when they are installed but stopped. Safe to run again: it only acts on what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# Python environment from the lock file.
if ! command -v uv >/dev/null 2>&1; then
  say "installing uv"
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
  export PATH="$HOME/.local/bin:$PATH"
fi
uv sync --frozen --quiet

# The report PDFs' font (reports.rendering.fonts): without it, names beyond Western European letters
# print as boxes.
if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  say "installing fonts-dejavu-core"
  apt_install fonts-dejavu-core
fi

# PostgreSQL: install when absent, start when stopped.
if ! command -v pg_lsclusters >/dev/null 2>&1 && ! command -v psql >/dev/null 2>&1; then
  say "installing PostgreSQL"
  apt_install postgresql
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  say "starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

# RabbitMQ: install when absent, start when stopped.
if ! command -v rabbitmqctl >/dev/null 2>&1; then
  say "installing RabbitMQ"
  apt_install rabbitmq-server
fi
if ! as_root rabbitmqctl -q status >/dev/null 2>&1; then
  say "starting RabbitMQ"
  as_root rabbitmq-server -detached
  as_root rabbitmqctl -q await_startup --timeout 60 >/dev/null 2>&1 || sleep 10
fi

# Front-end: GOV.UK Frontend, Sass and axe-core from the npm registry (as package-lock.json pins them),
# then the portal's stylesheet compiled from them. Nothing of GOV.UK Frontend is copied into the repository.
if ! command -v npm >/dev/null 2>&1; then
  say "installing Node.js and npm"
  apt_install nodejs npm
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing front-end packages (npm ci)"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
portal_css=gateway/src/gateway/static/dist/portal.css
if [ ! -f "$portal_css" ] || [ -n "$(find gateway/frontend package-lock.json -newer "$portal_css" -print -quit)" ]; then
  say "building the portal's stylesheet"
  npm run --silent build
fi

# Headless Chromium for the browser tests (Debian's package: no browser download).
if [ "${PORTAL_SETUP_BROWSER:-0}" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  say "installing Chromium"
  apt_install chromium
fi
# pdftoppm (Debian's poppler-utils) for `make screenshots`: the first page of each report's PDF as a PNG.
if [ "${PORTAL_SETUP_BROWSER:-0}" = 1 ] && ! command -v pdftoppm >/dev/null 2>&1; then
  say "installing poppler-utils (pdftoppm)"
  apt_install poppler-utils
fi
# wrk, the load generator of `make bench-gateway` (Debian's package), for that benchmark only.
if [ "${PORTAL_SETUP_WRK:-0}" = 1 ] && ! command -v wrk >/dev/null 2>&1; then
  say "installing wrk"
  apt_install wrk
fi
exit 0
