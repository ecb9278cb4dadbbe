"""The seed's three endpoints, kept with their paths and bodies so that the tutorial still works:
``POST /api/create``, ``POST /api/update``, ``POST /api/delete``.

They are shells over the same writes as ``/api/tasks/`` (and answer with the same task form);
they also take form-encoded bodies, as ``curl -d`` sends them.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from syncer.api.errors import WRITE_ERRORS, SyncerErrors, error_responses
from syncer.api.fields import PeriodField, TaskNameField
from syncer.api.parsers import SafeJSONParser
from syncer.api.permissions import IsStaffOrReadOnly
from syncer.api.schedules import IntervalSchedule
from syncer.api.serializers import TaskSerializer, task_name
from syncer.api.views import task_response
from syncer.core.durations import MAX_EVERY
from syncer.core.state import TaskState
from syncer.db import task_writes


class SeedCreateSerializer(serializers.Serializer):
    """The seed's body: an interval schedule given as ``interval`` and ``period_choice``."""

    interval = serializers.IntegerField(min_value=1, max_value=MAX_EVERY)
    period_choice = PeriodField()
    name = task_name()
    task = TaskNameField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        schedule = IntervalSchedule(
            data={"kind": "interval", "every": attrs["interval"], "period": attrs["period_choice"]}
        )
        if not schedule.is_valid():
            raise serializers.ValidationError(
                {"interval": schedule.errors.get("every", ["invalid"])}
            )
        return {"name": attrs["name"], "task": attrs["task"], "schedule": schedule.validated_data}

    def state_fields(self) -> dict[str, Any]:
        return dict(self.validated_data)


class SeedUpdateSerializer(SeedCreateSerializer):
    id = serializers.IntegerField(min_value=1)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return {"id": attrs["id"], **super().validate(attrs)}

    def state_fields(self) -> dict[str, Any]:
        return {key: value for key, value in self.validated_data.items() if key != "id"}


class SeedDeleteSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1)


class SeedView(SyncerErrors, APIView):
    permission_classes = [IsStaffOrReadOnly]
    parser_classes = [SafeJSONParser, FormParser]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        _refuse_json_sent_as_form(request)


def _refuse_json_sent_as_form(request: Request) -> None:
    """``curl -d '{...}'`` without ``-H 'Content-Type: application/json'`` sends a JSON body
    labelled as a form: parsed as a form, every field would be "required". Say what is wrong."""
    if request.content_type.split(";")[0].strip() != "application/x-www-form-urlencoded":
        return
    if request.body.lstrip()[:1] in (b"{", b"["):
        raise exceptions.UnsupportedMediaType(
            request.content_type,
            detail="The body is JSON but its Content-Type is a form: send the header "
            "'Content-Type: application/json' (curl: -H 'Content-Type: application/json').",
        )


class CreateView(SeedView):
    @extend_schema(
        tags=["seed"],
        operation_id="seed_create",
        request=SeedCreateSerializer,
        responses={201: TaskSerializer, **error_responses(*WRITE_ERRORS)},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create a task on an interval schedule (the seed's endpoint)."""
        data = SeedCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task_id = task_writes.create_task(TaskState(**data.state_fields()))
        return task_response(task_id, status.HTTP_201_CREATED)


class UpdateView(SeedView):
    @extend_schema(
        tags=["seed"],
        operation_id="seed_update",
        request=SeedUpdateSerializer,
        responses={200: TaskSerializer, **error_responses(*WRITE_ERRORS)},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Set a task's name, task and interval schedule (the seed's endpoint)."""
        data = SeedUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task_id = data.validated_data["id"]
        task_writes.update_task(task_id, data.state_fields())
        return task_response(task_id)


class DeleteView(SeedView):
    @extend_schema(
        tags=["seed"],
        operation_id="seed_delete",
        request=SeedDeleteSerializer,
        responses={204: None, **error_responses(*WRITE_ERRORS)},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete a task (the seed's endpoint)."""
        data = SeedDeleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task_writes.delete_task(data.validated_data["id"])
        return Response(status=status.HTTP_204_NO_CONTENT)
