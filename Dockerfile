# Tidtam: permit tracking for Bangkok district offices.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH="/app/.venv/bin:$PATH" \
    TIDTAM_DATABASE_URL=sqlite:////data/tidtam.db \
    TIDTAM_ENV=production

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
# serve refuses to start without its two keys (32+ bytes each, different; make each with
# python -c "import secrets; print(secrets.token_urlsafe(48))"). Pass them at run time, never
# in the image: -e TIDTAM_SECRET_KEY=... -e TIDTAM_AUDIT_KEY=..., or as files (Docker secrets)
# named by -e TIDTAM_SECRET_KEY_FILE=/run/secrets/... -e TIDTAM_AUDIT_KEY_FILE=/run/secrets/....
# Behind a proxy: -e TIDTAM_TRUSTED_PROXIES=<its address> -e TIDTAM_BASE_URL=https://...
# A trial run: -e TIDTAM_ENV=development keeps generated keys in /data beside the database.
CMD ["tidtam", "serve", "--host", "0.0.0.0", "--port", "8000"]
