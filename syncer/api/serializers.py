"""What the API reads and writes: a task as JSON, validated input as ``TaskState`` fields.

Reads and writes have separate serializers, so that the schema describes each exactly: the read
form shows every column users set, plus run-time columns and ownership (``managed``, ``source``);
the write form takes only what a user sets, and ``state_fields()`` turns it into the ``TaskState``
fields that ``syncer.db.task_writes`` writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from syncer.api.fields import JsonList, JsonObject, TaskNameField
from syncer.api.schedules import SCHEDULE_SCHEMA, ScheduleField
from syncer.core import rules
from syncer.core.pauses import REASON_MAX, PauseError, Spelling, check_reason, expiry, parse_until
from syncer.core.state import canonical_json
from syncer.db.kinds import NO_SCHEDULE
from syncer.db.task_writes import schedule_of
from syncer.models import ManagedTask
from syncer.models import Pause as PauseRow

_ANY_JSON = {"description": "the stored JSON value (the raw text if it is not valid JSON)"}


class SourceSerializer(serializers.ModelSerializer):
    """Where a managed task is declared, and which apply wrote it."""

    path = serializers.CharField(source="source_path")
    line = serializers.IntegerField(source="source_line")
    location = serializers.CharField(source="source", help_text="path:line, to edit")

    class Meta:
        model = ManagedTask
        fields = ["path", "line", "location", "revision", "applied_at", "scope"]
        read_only_fields = fields


class TaskPauseSerializer(serializers.ModelSerializer):
    """An operator's emergency pause of a declared task (``syncer pause``, the admin, the API)."""

    until = serializers.DateTimeField(
        allow_null=True, help_text="when the pause ends (null: until resumed)"
    )

    class Meta:
        model = PauseRow
        fields = ["reason", "paused_by", "paused_at", "until"]
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer):
    schedule = serializers.SerializerMethodField(allow_null=True)
    args = serializers.SerializerMethodField()
    kwargs = serializers.SerializerMethodField()
    headers = serializers.SerializerMethodField()
    managed = serializers.SerializerMethodField(
        help_text="declared in a schedule file: change it there, not here"
    )
    source = serializers.SerializerMethodField(allow_null=True)
    scope = serializers.SerializerMethodField(
        help_text="the ownership scope whose applies manage the task (null: not managed)"
    )
    pause = serializers.SerializerMethodField(allow_null=True)

    class Meta:
        model = PeriodicTask
        fields = [
            "id", "name", "task", "schedule", "args", "kwargs", "queue", "exchange",
            "routing_key", "priority", "headers", "enabled", "expires", "expire_seconds",
            "start_time", "one_off", "description", "last_run_at", "total_run_count",
            "date_changed", "managed", "source", "scope", "pause",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(SCHEDULE_SCHEMA)
    def get_schedule(self, row: PeriodicTask) -> dict[str, Any] | None:
        schedule, _ = schedule_of(row)
        return None if schedule == NO_SCHEDULE else schedule.to_json()

    @extend_schema_field({**_ANY_JSON, "example": []})
    def get_args(self, row: PeriodicTask) -> Any:
        return _decoded(row.args, [])

    @extend_schema_field({**_ANY_JSON, "example": {}})
    def get_kwargs(self, row: PeriodicTask) -> Any:
        return _decoded(row.kwargs, {})

    @extend_schema_field({**_ANY_JSON, "example": {}})
    def get_headers(self, row: PeriodicTask) -> Any:
        return _decoded(row.headers, {})

    def get_managed(self, row: PeriodicTask) -> bool:
        return _ledger(row) is not None

    @extend_schema_field(SourceSerializer(allow_null=True))
    def get_source(self, row: PeriodicTask) -> dict[str, Any] | None:
        ledger = _ledger(row)
        return None if ledger is None else dict(SourceSerializer(ledger).data)

    def get_scope(self, row: PeriodicTask) -> str | None:
        ledger = _ledger(row)
        return None if ledger is None else ledger.scope

    @extend_schema_field(TaskPauseSerializer(allow_null=True))
    def get_pause(self, row: PeriodicTask) -> dict[str, Any] | None:
        pause = getattr(row, "syncer_pause", None)  # a missing reverse one-to-one raises
        return None if pause is None else dict(TaskPauseSerializer(pause).data)


def _ledger(row: PeriodicTask) -> ManagedTask | None:
    return getattr(row, "managed_by_syncer", None)  # a missing reverse one-to-one raises


def _decoded(text: str | None, empty: Any) -> Any:
    if not text:
        return empty
    try:
        return json.loads(text)
    except ValueError:
        return text


def _no_hidden_characters(name: str) -> None:
    message = rules.name_problem(name)
    if message:
        raise serializers.ValidationError(message)


def task_name() -> serializers.CharField:
    """Kept as written, spaces included, as the schedule files keep it; refused with a control,
    bidirectional or invisible character, as the schedule files refuse it."""
    return serializers.CharField(
        min_length=1,
        max_length=rules.NAME_MAX,
        trim_whitespace=False,
        validators=[_no_hidden_characters],
        help_text="unique; no control, bidirectional or invisible character",
    )


def _optional_text() -> serializers.CharField:
    return serializers.CharField(
        max_length=rules.NAME_MAX, allow_null=True, allow_blank=True, default=None
    )


class TaskWriteSerializer(serializers.Serializer):
    """A task as users set it. Omitted optional fields take their defaults (PUT, POST) or keep
    their values (PATCH)."""

    name = task_name()
    task = TaskNameField()
    schedule = ScheduleField()
    args = JsonList(default=list)
    kwargs = JsonObject(default=dict)
    queue = _optional_text()
    exchange = _optional_text()
    routing_key = _optional_text()
    priority = serializers.IntegerField(
        min_value=rules.PRIORITY_MIN, max_value=rules.PRIORITY_MAX, allow_null=True, default=None
    )
    headers = JsonObject(default=dict)
    enabled = serializers.BooleanField(default=True)
    expires = serializers.DateTimeField(allow_null=True, default=None)
    expire_seconds = serializers.IntegerField(
        min_value=0, max_value=rules.EXPIRE_SECONDS_MAX, allow_null=True, default=None
    )
    start_time = serializers.DateTimeField(allow_null=True, default=None)
    one_off = serializers.BooleanField(default=False)
    description = serializers.CharField(allow_blank=True, allow_null=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        conflict = rules.expiry_conflict(attrs.get("expires"), attrs.get("expire_seconds"))
        if conflict:
            raise serializers.ValidationError({"expire_seconds": [conflict]})
        return attrs

    def state_fields(self) -> dict[str, Any]:
        return state_fields(self.validated_data)


_TO_STATE: dict[str, Callable[[Any], Any]] = {
    "args": canonical_json,
    "kwargs": canonical_json,
    "headers": canonical_json,
    "queue": lambda value: value or None,
    "exchange": lambda value: value or None,
    "routing_key": lambda value: value or None,
    "description": lambda value: value or "",
}


def state_fields(validated: dict[str, Any]) -> dict[str, Any]:
    """Validated input -> ``TaskState`` field values (canonical JSON text, None for no queue)."""
    return {key: _TO_STATE.get(key, _same)(value) for key, value in validated.items()}


def _same(value: Any) -> Any:
    return value


# The API's words for the inputs of a pause, in the messages of ``syncer.core.pauses``.
API_SPELLING = Spelling('"reason"', '"for"', '"until"', '"indefinitely": true')


@extend_schema_field(
    {
        "type": "string",
        "format": "date-time",
        "description": "ISO 8601 with a UTC offset (Z allowed), in the future",
    }
)
class UntilField(serializers.CharField):
    pass


class PauseRequestSerializer(serializers.Serializer):
    """A reason, and how long: exactly one of `for`, `until` and `indefinitely: true`."""

    # The rules are syncer.core.pauses' (check_reason, expiry): validated_data holds the reason
    # and ``until``, the end of the pause (None: until resumed).

    def get_fields(self) -> dict[str, serializers.Field]:
        # "for" is a Python keyword: the fields are named here rather than as class attributes.
        return {
            "reason": serializers.CharField(
                max_length=REASON_MAX, help_text="why (shown in plans, status and the admin)"
            ),
            "for": serializers.CharField(
                required=False, max_length=100, help_text="how long: a duration such as 30m, 2h, 1d"
            ),
            "until": UntilField(required=False, max_length=100),
            "indefinitely": serializers.BooleanField(
                required=False, help_text="true: until resumed (instead of for or until)"
            ),
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            reason = check_reason(attrs["reason"], API_SPELLING)
            given = attrs.get("until")
            until = expiry(
                timezone.now(),
                duration=attrs.get("for"),
                until=None if given is None else parse_until(given, API_SPELLING),
                indefinitely=attrs.get("indefinitely", False),
                spelling=API_SPELLING,
            )
        except PauseError as exc:
            raise serializers.ValidationError(
                {exc.field or api_settings.NON_FIELD_ERRORS_KEY: [str(exc)]}
            ) from None
        return {"reason": reason, "until": until}
