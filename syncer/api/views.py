"""``/api/tasks/``: list (filters, pages), retrieve, create, update, partial update, delete;
``/api/tasks/{id}/pause`` and ``/resume``: the emergency pause of a declared task.

Each handler validates with a serializer, checks the row (404) and its ownership (409) before
the body (so a managed task answers "edit the file" whatever was sent), and leaves the write to
``syncer.db.task_writes``, which checks both again under the apply lock. Pauses are the other way
round: only a declared task can be paused (409 otherwise), through ``syncer.db.pause_writes``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_celery_beat.models import PeriodicTask
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from syncer.api.errors import (
    PAUSE_CONFLICT,
    READ_ERRORS,
    WRITE_ERRORS,
    SyncerErrors,
    error_responses,
)
from syncer.api.filters import TaskFilterSerializer, filter_query
from syncer.api.parsers import SafeJSONParser
from syncer.api.permissions import IsStaffOrReadOnly
from syncer.api.serializers import PauseRequestSerializer, TaskSerializer, TaskWriteSerializer
from syncer.core.state import TaskState
from syncer.db import pause_writes, task_writes
from syncer.db.kinds import KINDS
from syncer.models import ManagedTask


class TaskPages(PageNumberPagination):
    page_size = 50


def tasks() -> QuerySet[PeriodicTask]:
    """Tasks with their schedule rows and ownership: one query per page."""
    related = [kind.fk for kind in KINDS.values()]
    return PeriodicTask.objects.select_related(
        *related, "managed_by_syncer", "syncer_pause"
    ).order_by("id")


def task_response(task_id: int, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(TaskSerializer(tasks().get(pk=task_id)).data, status=status_code)


def refuse_if_managed(task_id: int) -> None:
    ledger = ManagedTask.objects.filter(task_id=task_id).first()
    if ledger is not None:
        raise task_writes.TaskManaged(ledger)


def _write(description: str, created: bool = False) -> Any:
    status_code = 201 if created else 200
    return extend_schema(
        description=description,
        request=TaskWriteSerializer,
        responses={status_code: TaskSerializer, **error_responses(*WRITE_ERRORS)},
    )


def _pause_write(description: str, request: Any, *errors: int) -> Any:
    return extend_schema(
        description=description,
        request=request,
        responses={200: TaskSerializer, **error_responses(*errors), 409: PAUSE_CONFLICT},
    )


@extend_schema_view(
    list=extend_schema(
        description="Tasks in id order, 50 a page, filtered by the query parameters given.",
        parameters=[TaskFilterSerializer],
        responses={200: TaskSerializer, **error_responses(*READ_ERRORS)},
    ),
    retrieve=extend_schema(
        description="One task; `managed` and `source` say whether a schedule file declares it.",
        responses={200: TaskSerializer, **error_responses(401, 403, 404)},
    ),
    create=_write("Create a task (staff only).", created=True),
    update=_write(
        "Replace a task (staff only): omitted optional fields take their defaults. "
        "A task declared in a schedule file answers 409 naming the file and line to edit."
    ),
    partial_update=_write(
        "Change the fields given (staff only). A task declared in a schedule file answers 409."
    ),
    destroy=extend_schema(
        description="Delete a task (staff only). A task declared in a schedule file answers 409.",
        responses={204: None, **error_responses(*WRITE_ERRORS)},
    ),
)
class TaskViewSet(SyncerErrors, viewsets.ModelViewSet):  # type: ignore[misc]
    """Periodic tasks (django-celery-beat rows). Tasks declared in schedule files are read-only
    here: their ``source`` names the file and line to edit."""

    serializer_class = TaskSerializer
    lookup_value_regex = "[^/]+"  # any id reaches the view, which answers a JSON 404
    permission_classes = [IsStaffOrReadOnly]
    parser_classes = [SafeJSONParser]
    # Set here, not left to the host project's REST_FRAMEWORK settings: the same pages everywhere.
    pagination_class = TaskPages

    def get_queryset(self) -> QuerySet[PeriodicTask]:
        rows = tasks()
        if self.action == "list":
            filters = TaskFilterSerializer(data=self.request.query_params.dict())
            filters.is_valid(raise_exception=True)
            rows = rows.filter(filter_query(dict(filters.validated_data)))
        return rows

    def get_serializer_class(self) -> type[Any]:
        return (
            TaskWriteSerializer
            if self.action in ("create", "update", "partial_update")
            else TaskSerializer
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = TaskWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task_id = task_writes.create_task(TaskState(**data.state_fields()))
        return task_response(task_id, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()
        refuse_if_managed(row.pk)
        data = TaskWriteSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        task_writes.update_task(row.pk, data.state_fields())
        return task_response(row.pk)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()
        task_writes.delete_task(row.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # Routed in urls.py (``tasks/{id}/pause``, as the issue and the command line name it), not by
    # the router, whose detail routes end with a slash.
    @_pause_write(
        "Pause a task declared in a schedule file (staff only): it is disabled at once (beat is "
        "notified) and stays disabled, whatever its file says, until the pause ends or `resume`. "
        "Give a `reason` and exactly one of `for` (a duration such as 2h), `until` (an ISO 8601 "
        "date-time with an offset) and `indefinitely: true`. Pausing a paused task replaces its "
        "reason and end. A task no file declares answers 409.",
        PauseRequestSerializer,
        *(400, 401, 403, 404, 415, 503),
    )
    def pause(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()
        body = PauseRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pause_writes.pause(
            [row.name],
            reason=body.validated_data["reason"],
            by=request.user.get_username(),
            until=body.validated_data["until"],
        )
        return task_response(row.pk)

    @_pause_write(
        "End a task's pause now (staff only): it is enabled again if its file declares it "
        "enabled, its next run counted from now. A task that is not paused answers 409.",
        None,
        *(401, 403, 404, 503),
    )
    def resume(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()
        pause_writes.resume([row.name], by=request.user.get_username())
        return task_response(row.pk)
