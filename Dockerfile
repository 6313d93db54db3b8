# syntax=docker/dockerfile:1
# FilmFlare's production image: the lockfile's runtime dependencies and the project's wheel in a
# virtualenv, built in one stage and copied alone into a slim stage that runs unprivileged.
#
#   docker build -t filmflare:local .
#   docker run --rm -p 8000:8000 -v filmflare-data:/data filmflare:local   # embedded backends
#   docker compose up --build                                              # production backends
#
# The root filesystem may be read-only: the app writes only to /tmp and, on the embedded
# backends, to FILMFLARE_DATA_DIR (/data, a volume). Bytecode is compiled at build time.

# Both stages must use the same interpreter: the virtualenv points at /usr/local/bin/python3.11.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
# The uv the Makefile pins (UV_VERSION there), so the image resolves exactly as `make install`.
ARG UV_VERSION=0.13.9
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/filmflare
RUN python -m pip install "uv==${UV_VERSION}"
WORKDIR /src
# The dependencies first, in a layer that is rebuilt only when the lockfile changes.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --no-install-project
# Then the project, built as a wheel and installed into the same environment: nothing in the
# environment points back at /src, which the runtime stage does not have.
COPY README.md ./
COPY src ./src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable

FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/filmflare/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FILMFLARE_HOST=0.0.0.0 \
    FILMFLARE_PORT=8000 \
    FILMFLARE_WORKERS=auto \
    FILMFLARE_DATA_DIR=/data
RUN groupadd --system --gid 10001 filmflare \
    && useradd --system --uid 10001 --gid filmflare --home-dir /nonexistent --no-create-home \
       --shell /usr/sbin/nologin filmflare \
    && install -d -o filmflare -g filmflare -m 0750 /data
COPY --from=build /opt/filmflare /opt/filmflare
WORKDIR /app
# Numeric, so that Kubernetes' runAsNonRoot can tell the user is not root.
USER 10001:10001
EXPOSE 8000
# Liveness only (no backend is touched); slim has no curl, so Python's urllib asks.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; r.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('FILMFLARE_PORT', '8000'), timeout=2)"]
# Host, port and workers come from FILMFLARE_HOST/PORT/WORKERS above, so a deployment changes
# them by environment. X-Forwarded-* is not trusted here: a proxy in front passes
# --proxy-headers with --forwarded-allow-ips naming it (deploy/kubernetes does).
CMD ["filmflare", "serve"]
