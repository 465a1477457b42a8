# Tidtam: permit tracking for Bangkok district offices.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH="/app/.venv/bin:$PATH" \
    TIDTAM_DATABASE_URL=sqlite:////data/tidtam.db

RUN pip install --no-cache-dir uv==0.13.9 \
    && groupadd --system tidtam \
    && useradd --system --gid tidtam --home-dir /app --shell /usr/sbin/nologin tidtam \
    && mkdir -p /app /data && chown tidtam:tidtam /data

WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY checklists ./checklists
COPY tracking ./tracking
COPY web ./web
RUN uv sync --frozen --no-dev

USER tidtam
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
CMD ["tidtam", "serve", "--host", "0.0.0.0", "--port", "8000"]
