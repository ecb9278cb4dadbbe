"""A task's ``schedule`` as a tagged object, ``{"kind": "interval", "every": 10, ...}``: the same
JSON form as the syncer's plan (``ScheduleKey.to_json()``).

Interval and crontab schedules are writable; solar and clocked ones (declared in files or made in
the admin) are shown. Crontab fields are checked by ``syncer.core.cron``, with the same rules
(django-celery-beat's and Celery's) as the schedule files; time zones must be IANA names.
"""

from __future__ import annotations

from typing import Any

from django_celery_beat.models import CrontabSchedule as CrontabRow
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from syncer import project
from syncer.api.fields import PeriodField
from syncer.core import cron, rules
from syncer.core.durations import MAX_DAYS, MAX_EVERY, MAX_TOTAL_US, PERIOD_MICROSECONDS
from syncer.core.kinds import ScheduleKey
from syncer.core.kinds.crontab import CrontabKey, unknown_timezone, valid_timezone
from syncer.core.kinds.interval import IntervalKey


class IntervalSchedule(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["interval"])
    every = serializers.IntegerField(min_value=1, max_value=MAX_EVERY)
    period = PeriodField()

    def validate(self, attrs: dict[str, Any]) -> IntervalKey:
        # Beat adds the interval to the current time: past year 9999 it stops (the files' limit).
        if attrs["every"] * PERIOD_MICROSECONDS[attrs["period"]] > MAX_TOTAL_US:
            raise serializers.ValidationError({"every": f"too long: at most {MAX_DAYS} days"})
        return IntervalKey(attrs["every"], attrs["period"])


def _cron_field(name: str) -> serializers.CharField:
    """A cron field no wider than its column (the widths differ per field)."""
    return serializers.CharField(
        default="*", max_length=CrontabRow._meta.get_field(name).max_length
    )


class CrontabSchedule(serializers.Serializer):
    """Cron fields as django-celery-beat stores them; a missing field means ``*``."""

    kind = serializers.ChoiceField(choices=["crontab"])
    minute = _cron_field("minute")
    hour = _cron_field("hour")
    day_of_month = _cron_field("day_of_month")
    month_of_year = _cron_field("month_of_year")
    day_of_week = _cron_field("day_of_week")
    timezone = serializers.CharField(
        default=project.default_timezone,
        max_length=rules.TIMEZONE_MAX,
        help_text="IANA time zone (default: Celery's)",
    )

    def validate_timezone(self, value: str) -> str:
        if not valid_timezone(value):
            raise serializers.ValidationError(unknown_timezone(value))
        return value

    def validate(self, attrs: dict[str, Any]) -> CrontabKey:
        fields = cron.CronFields(**{name: attrs[name] for name in cron.FIELDS})
        errors: dict[str, list[str]] = {}
        for error in cron.check(fields):
            errors.setdefault(error.field or "non_field_errors", []).append(str(error))
        if errors:
            raise serializers.ValidationError(errors)
        return CrontabKey(timezone=attrs["timezone"], **{name: attrs[name] for name in cron.FIELDS})


class SolarSchedule(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["solar"])
    event = serializers.CharField()
    latitude = serializers.CharField(help_text="decimal degrees, six places")
    longitude = serializers.CharField(help_text="decimal degrees, six places")


class ClockedSchedule(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["clocked"])
    clocked_time = serializers.DateTimeField()


WRITABLE: dict[str, type[serializers.Serializer]] = {
    "interval": IntervalSchedule,
    "crontab": CrontabSchedule,
}
SHOWN: dict[str, type[serializers.Serializer]] = {
    **WRITABLE,
    "solar": SolarSchedule,
    "clocked": ClockedSchedule,
}


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="ScheduleInput",
        serializers=WRITABLE,
        resource_type_field_name="kind",
    )
)
class ScheduleField(serializers.Field):
    """A writable schedule -> its ``ScheduleKey``; errors are nested under the schedule's keys."""

    default_error_messages = {
        "object": "expected an object such as "
        '{{"kind": "interval", "every": 10, "period": "seconds"}}',
    }

    def to_internal_value(self, data: Any) -> ScheduleKey:
        if not isinstance(data, dict):
            self.fail("object")
        kind = data.get("kind")
        serializer_class = WRITABLE.get(kind) if isinstance(kind, str) else None
        if serializer_class is None:
            raise serializers.ValidationError({"kind": [f"expected one of: {', '.join(WRITABLE)}"]})
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        key: ScheduleKey = serializer.validated_data  # what validate() returned
        return key

    def to_representation(self, value: ScheduleKey) -> dict[str, Any]:
        return value.to_json()


SCHEDULE_SCHEMA = PolymorphicProxySerializer(
    component_name="Schedule",
    serializers=SHOWN,
    resource_type_field_name="kind",
)
