# syntax=docker/dockerfile:1
# Stage 1: build the React app.
FROM node:20-bookworm-slim AS frontend
WORKDIR /app/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ ./
RUN npm run build

# Stage 2: the Python runtime, one image for the web process (daphne) and the Celery worker.
FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DEBUG=0 \
    PORT=8000
WORKDIR /app
RUN useradd --system --uid 10001 --user-group --home-dir /app scalelab
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY manage.py ./
COPY scripts/ scripts/
COPY sandbox/ sandbox/
COPY simulation/ simulation/
COPY examples/ examples/
COPY --from=frontend /app/frontend/dist frontend/dist
# The key only lets settings load for collectstatic; a real one is given at run time.
RUN SECRET_KEY=build-only-collectstatic python manage.py collectstatic --noinput -v 0 \
    && chown -R scalelab:scalelab /app
USER scalelab
EXPOSE 8000
# Needs nothing but Python: /healthz answers before host checks and the HTTPS redirect.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8000\")}/healthz', timeout=4)"]
# Several daphne processes on one port (WEB_PROCESSES, default: the CPUs), restarted if one dies.
CMD ["sh", "-c", "exec python scripts/dev.py web --host 0.0.0.0 --port \"$PORT\" --proxy-headers"]
