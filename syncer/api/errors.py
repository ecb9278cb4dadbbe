"""The API's one error boundary: the syncer's errors -> HTTP statuses, and their OpenAPI form.

``syncer.db.task_writes`` and ``syncer.db.pause_writes`` raise plain syncer errors; views mix in
``SyncerErrors`` so that each becomes the DRF exception of its status (404, 409, 400, 503) with a
JSON body, and nothing becomes a 500.
``error_responses()`` declares the same bodies in the schema, and ``not_found`` gives URLs that
match no route under /api/ the same JSON 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from syncer.core.errors import TemporaryFault
from syncer.core.pauses import PauseError
from syncer.core.scopes import DEFAULT_SCOPE
from syncer.db.task_writes import InvalidTask, NameTaken, TaskManaged, TaskNotFound


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "conflict"
    default_code = "conflict"


class Unavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "temporarily unavailable, try again"
    default_code = "unavailable"


def _managed(exc: TaskManaged) -> Conflict:
    body = {"detail": str(exc), "source": exc.source, "revision": exc.revision}
    if exc.scope != DEFAULT_SCOPE:  # a database with one owner answers as it always did
        body["scope"] = exc.scope
    return Conflict(body)


def _pause(exc: PauseError) -> exceptions.APIException:
    """Bad input names its field (400); otherwise the task's state refuses it (409): it is not
    declared in a schedule file, or (resume) not paused."""
    if exc.field:
        return exceptions.ValidationError({exc.field: [str(exc)]})
    return Conflict(str(exc))


_TRANSLATE: dict[type[Exception], Callable[[Any], exceptions.APIException]] = {
    TaskNotFound: lambda exc: exceptions.NotFound(str(exc)),
    TaskManaged: _managed,
    NameTaken: lambda exc: exceptions.ValidationError({"name": [str(exc)]}),
    InvalidTask: lambda exc: exceptions.ValidationError({exc.field: [str(exc)]}),
    TemporaryFault: lambda exc: Unavailable(str(exc)),
    PauseError: _pause,
}


def translate(exc: Exception) -> Exception:
    factory = _TRANSLATE.get(type(exc))
    return exc if factory is None else factory(exc)


class SyncerErrors:
    """View mixin: syncer errors raised by a handler become their HTTP error."""

    def handle_exception(self, exc: Exception) -> Response:
        return super().handle_exception(translate(exc))  # type: ignore[misc]


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ConflictSerializer(ErrorSerializer):
    source = serializers.CharField(help_text="the file and line that declare the task")
    revision = serializers.CharField(help_text="the revision of the last apply (may be empty)")
    scope = serializers.CharField(
        required=False,
        help_text="the ownership scope whose files declare the task (absent: `default`)",
    )


_RESPONSES: dict[int, OpenApiResponse] = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Invalid input: each key names a field (nested for the schedule; "
        "non_field_errors for the whole body) and maps to its messages; or {detail} for a body "
        "that is not JSON.",
    ),
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated."),
    403: OpenApiResponse(ErrorSerializer, description="Authenticated, but not staff (writes)."),
    404: OpenApiResponse(ErrorSerializer, description="No such task (or page)."),
    409: OpenApiResponse(
        ConflictSerializer,
        description="The task is managed by the syncer: edit the file named in the message.",
    ),
    415: OpenApiResponse(ErrorSerializer, description="The body is not JSON."),
    503: OpenApiResponse(ErrorSerializer, description="The apply lock is busy: try again."),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: _RESPONSES[code] for code in codes}


PAUSE_CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description="The task is not declared in a schedule file (a pause overrides a declaration: "
    "change an unmanaged task with PATCH), or, to resume, it is not paused.",
)


READ_ERRORS = (400, 401, 403, 404)
WRITE_ERRORS = (400, 401, 403, 404, 409, 415, 503)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: a JSON body under /api/ (as the schema says), Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
