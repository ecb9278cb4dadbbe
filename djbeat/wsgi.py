"""WSGI entry point: refuses to serve without a SECRET_KEY (see djbeat.checks)."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djbeat.settings")
application = get_wsgi_application()

from djbeat.checks import SECRET_KEY_MISSING, secret_key_missing  # noqa: E402

if secret_key_missing():
    raise ImproperlyConfigured(SECRET_KEY_MISSING)
