# Production image: gunicorn + WhiteNoise; the same image runs web, worker, beat and migrate.
# Installs the runtime lock only (requirements.lock; the dev tools are in requirements-dev.lock).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEPLOYMENT=production VAR_DIR=/app/var \
    VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH
# WeasyPrint needs Pango, and HarfBuzz's subset library to embed font subsets (without it, it
# falls back to fontTools: a statement PDF takes 1.4x the CPU, bench/pdf_fonts.py);
# gettext compiles the message catalogues; curl is web's healthcheck;
# postgresql-client: pg_dump/pg_restore for manage.py backup and restore (PostgreSQL 15 as the server).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core gettext curl postgresql-client \
 && rm -rf /var/lib/apt/lists/*
# Its own venv: works whether the base's Python is /usr/local/bin/python3 (python.org build)
# or /usr/bin/python3 (Debian's, which refuses a system-wide pip install).
RUN python3 -m venv "$VIRTUAL_ENV"
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir --disable-pip-version-check -r requirements.lock
COPY . .
# Production settings require these; the build's own values are never used at run time.
RUN export SECRET_KEY=build-only SUPPRESSION_KEY=build-only ALLOWED_HOSTS=build SITE_URL=http://build \
 && python manage.py collectstatic --no-input --verbosity 0 \
 && python manage.py compilemessages --verbosity 0 \
 && useradd --system --home /app cdot \
 && mkdir -p /app/var /data/private /data/footage \
 && chown -R cdot /app/var /data \
 && chmod 700 /data/private /data/footage
USER cdot
EXPOSE 8000
CMD ["gunicorn", "cdot_privacy.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "8", "--timeout", "60", "--graceful-timeout", "30", "--keep-alive", "5", "--access-logfile", "-"]
