"""The Celery app, configured from Django settings (``CELERY_*`` names), tasks autodiscovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djbeat.settings")

app = Celery("djbeat")
app.config_from_object("django.conf:settings", namespace="CELERY")
# `tasks` is a top-level package, not a Django app: name it explicitly.
app.autodiscover_tasks(["tasks"], related_name=None)
app.autodiscover_tasks()
