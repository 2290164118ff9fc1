# syntax=docker/dockerfile:1
# One image for every process of the portal (docs/operations.md): the command picks the process,
#   python -m <service> api | worker | migrate      (identity, actuals, payments, claims, messaging, reports)
#   python -m reports render                        (the report render workers)
#   python -m gateway                               (the only public entry)
# Built by `make k8s-smoke`; linted by hadolint in tests/deploy/test_dockerfile.py.

# --- 1. The front-end: GOV.UK Frontend and Sass from the npm registry as package-lock.json pins them,
# compiled into the gateway's static files (as scripts/setup.sh does with `npm ci` and `npm run build`).
FROM node:20.20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
COPY gateway/frontend gateway/frontend
RUN mkdir -p gateway/src/gateway/static/dist && npm run --silent build

# --- 2. The Python environment: the locked runtime dependencies (no dev group) and the workspace's own
# packages, installed (not editable) into /opt/portal, byte-compiled here because the runtime's root
# file system is read-only.
FROM python:3.11.14-slim-bookworm AS build
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/portal \
    UV_PYTHON_DOWNLOADS=never \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /src
COPY pyproject.toml uv.lock ./
COPY shared shared
COPY gateway gateway
COPY services services
COPY --from=assets /src/gateway/src/gateway/static/dist gateway/src/gateway/static/dist
RUN uv sync --frozen --no-dev --no-editable --no-cache

# --- 3. The runtime: slim Python, no compilers, no uv, no sources; a non-root user with a fixed uid
# (the manifests' runAsUser) and only the environment built above.
FROM python:3.11.14-slim-bookworm AS runtime
# DejaVu Sans: the report PDFs' font (reports.rendering.fonts); without it names beyond Western European
# letters print as boxes.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core=2.37-6 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin portal
COPY --from=build /opt/portal /opt/portal
# No .pyc written at run time (the root file system is read-only); TMPDIR is the pod's emptyDir at /tmp.
ENV PATH=/opt/portal/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TMPDIR=/tmp
WORKDIR /opt/portal
USER 10001:10001
EXPOSE 8000 9100 9101 9102
# The default is the gateway; each Deployment names its own command.
CMD ["python", "-m", "gateway"]
