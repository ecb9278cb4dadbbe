"""``/healthz`` and ``/readyz`` of the web process, for the probes of an orchestrator.

A probe asks for the pod's IP address over plain HTTP: the host check (``ALLOWED_HOSTS``) would
refuse it and the HTTPS redirect of production would answer 301. This middleware comes first
and answers these two paths before either runs. The paths are those of ``syncer watch``.

- ``/healthz``: 200 while the process serves requests (liveness: a restart would not help
  otherwise);
- ``/readyz``: 200 when the database answers, else 503 (readiness: no traffic to a pod that
  could only fail).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

LIVE, READY = "/healthz", "/readyz"


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError as exc:
        log.warning("readiness: the database does not answer: %s", exc)
        return False


class ProbeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == LIVE:
            return HttpResponse("ok\n", content_type="text/plain")
        if request.path == READY:
            if database_answers():
                return HttpResponse("ok\n", content_type="text/plain")
            return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
        return self.get_response(request)
