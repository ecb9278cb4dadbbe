"""Settings for the test suite: the project's settings with ``DEBUG`` on unless the environment
says otherwise (pytest-django imports settings before any conftest could set it)."""

import os

os.environ.setdefault("DEBUG", "1")

from djbeat.settings import *  # noqa: F403

# The suite renders pages without `collectstatic`; the production storage is tested in a real
# gunicorn process (tests/deploy/test_web_server.py).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise warns when it is missing)
