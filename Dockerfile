# One image for every application service of docker-compose.yml (migrate, web, worker, beat,
# syncer); each service sets its own command, the same as the Procfile's.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # Import the project from /app (not the copy in site-packages) so that settings.BASE_DIR is
    # /app, where manage.py and schedules/ are; var/ (task output, filesystem broker) is /app/var.
    PYTHONPATH=/app \
    BEAT_SYNC_VAR_DIR=/app/var

WORKDIR /app
RUN useradd --create-home --uid 10001 app

# Dependencies and console scripts (`syncer`) first: this layer is rebuilt only when they change.
COPY pyproject.toml README.md ./
COPY djbeat ./djbeat
COPY tasks ./tasks
COPY syncer ./syncer
RUN pip install .

COPY manage.py ./
COPY schedules ./schedules
RUN mkdir -p var && chown app:app var

USER app
EXPOSE 8000
CMD ["python", "manage.py", "runserver", "0.0.0.0:8000", "--noreload"]
