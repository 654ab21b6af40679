# Production image: gunicorn + WhiteNoise; the same image runs web, worker, beat and migrate.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEPLOYMENT=production VAR_DIR=/app/var
# WeasyPrint needs Pango; gettext compiles the message catalogues.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core gettext curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py collectstatic --no-input --verbosity 0 \
 && SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py compilemessages --verbosity 0 \
 && useradd --system --home /app cdot && mkdir -p /app/var && chown -R cdot /app/var
USER cdot
EXPOSE 8000
CMD ["gunicorn", "cdot_privacy.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
