# One image for the web (gunicorn) and the ingest worker of the Naju photo archive.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    ARCHIVE_DATA_DIR=/var/lib/archive \
    ARCHIVE_SCANS_DIR=/srv/scans

RUN useradd --system --uid 10001 --home-dir /var/lib/archive archive \
    && mkdir -p /var/lib/archive /srv/scans \
    && chown archive:archive /var/lib/archive /srv/scans

WORKDIR /app
COPY requirements.lock pyproject.toml README.md ./
COPY archive ./archive
COPY tools/vendor.py ./tools/vendor.py
# OpenSeadragon from the npm registry, checked against archive/web/assets/package-lock.json;
# then the lock pins every Python package; only the runtime dependencies are installed.
RUN python tools/vendor.py && pip install -c requirements.lock .

USER archive
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=8)"
CMD ["archive", "serve", "--host", "0.0.0.0", "--port", "8000"]
