"""System checks of the demo settings, run by ``runserver``, ``migrate`` and ``check``.

A missing ``SECRET_KEY`` (with ``DEBUG`` off) is refused here and in ``wsgi.py``, where requests
are served, rather than when the settings are imported: the syncer, the worker and beat sign
nothing, so ``syncer validate`` in a CI job needs no secret.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

SECRET_KEY_MISSING = "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for development)"


def secret_key_missing() -> bool:
    try:
        return not settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to read an empty key
        return True


@checks.register(checks.Tags.security)
def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if secret_key_missing():
        return [checks.Error(SECRET_KEY_MISSING, id="djbeat.E001")]
    return []
