# One image for every application process of docker-compose.yml and deploy/k8s/ (migrate, web,
# worker, beat, syncer); each sets its own command, the one of Procfile.production.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # Import the project from /app (not the copy in site-packages) so that settings.BASE_DIR is
    # /app, where manage.py and schedules/ are; var/ (task output, filesystem broker) is /app/var.
    PYTHONPATH=/app \
    BEAT_SYNC_VAR_DIR=/app/var \
    # Collected static files live outside var/, which compose and Kubernetes mount as volumes.
    STATIC_ROOT=/app/static

WORKDIR /app
RUN useradd --create-home --uid 10001 app

# Dependencies and console scripts (`syncer`) first: this layer is rebuilt only when they change.
# The demo extra: the settings' django-environ, gunicorn, whitenoise, the REST API, psycopg.
COPY pyproject.toml README.md ./
COPY djbeat ./djbeat
COPY tasks ./tasks
COPY syncer ./syncer
RUN pip install ".[demo]"
# The processes import the project from /app (PYTHONPATH above), not from site-packages where pip
# compiled it, and write no bytecode (PYTHONDONTWRITEBYTECODE; /app is not theirs anyway): compile
# it here once, or every process compiles it again at its start (a sixth of the instructions of
# `syncer validate --skip-task-check` on one file, an eighth with the task check).
RUN python -m compileall -q djbeat tasks syncer

COPY manage.py ./
COPY schedules ./schedules
# The admin's and Swagger UI's files, hashed and compressed once, at build time (no secret or
# database needed); the web process serves them (whitenoise), read-only.
RUN python manage.py collectstatic --no-input -v 0 && mkdir -p var && chown app:app var

USER app
EXPOSE 8000
# Procfile.production's web; compose and Kubernetes set each process's command.
CMD ["gunicorn", "djbeat.wsgi", "--bind", "0.0.0.0:8000"]
