"""Settings for the test suite: the project's settings with ``DEBUG`` on unless the environment
says otherwise (pytest-django imports settings before any conftest could set it)."""

import os

os.environ.setdefault("DEBUG", "1")

from djbeat.settings import *  # noqa: F403
