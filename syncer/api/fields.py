"""Serializer fields for what DRF has no field for: JSON text columns, registered task names,
and interval periods written in any case.

The JSON fields refuse, with a 400 rather than a 500 later, what the columns cannot store: a lone
surrogate (not UTF-8), NaN or Infinity (not JSON). Control characters such as NUL are fine: JSON
text escapes them.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from syncer.core.durations import PERIOD_MICROSECONDS
from syncer.core.state import canonical_json
from syncer.project import registered_tasks

PERIODS = tuple(PERIOD_MICROSECONDS)  # days, hours, minutes, seconds, microseconds


class _JsonValue(serializers.Field):
    """A JSON value of one type, stored as JSON text in a column."""

    expected: type = object
    expected_name = ""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, self.expected):
            raise serializers.ValidationError(f"expected a JSON {self.expected_name}")
        try:
            json.dumps(data, allow_nan=False)  # NaN and Infinity are not JSON
            canonical_json(data).encode("utf-8")  # a lone surrogate cannot be stored
        except (ValueError, TypeError, RecursionError) as exc:
            raise serializers.ValidationError(f"not storable as JSON: {exc}") from exc
        return data

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field({"type": "array", "items": {}, "description": "positional arguments"})
class JsonList(_JsonValue):
    expected = list
    expected_name = "array"


@extend_schema_field({"type": "object", "additionalProperties": {}})
class JsonObject(_JsonValue):
    expected = dict
    expected_name = "object"


class TaskNameField(serializers.CharField):
    """A task name registered in the project's Celery app (the schema lists them)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        name = super().to_internal_value(data)
        known = registered_tasks()
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise serializers.ValidationError(
                f"{name!r} is not a task registered in the Celery app{hint}"
            )
        return name


class TaskNameFieldSchema(OpenApiSerializerFieldExtension):
    """The registered names, read when the schema is generated (they are known only at run time)."""

    target_class = TaskNameField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {
            "type": "string",
            "enum": sorted(registered_tasks()),
            "description": "a task registered in the project's Celery app",
        }


class PeriodField(serializers.ChoiceField):
    """An interval period; ``Seconds`` and ``SECONDS`` mean ``seconds`` (the seed accepted both)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=PERIODS, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, str):
            data = data.strip().lower()
        return str(super().to_internal_value(data))


class PeriodFieldSchema(OpenApiSerializerFieldExtension):
    """One inline enum wherever a period appears (``period``, the seed's ``period_choice``)."""

    target_class = PeriodField

    def get_name(self) -> str:
        return "Period"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {"type": "string", "enum": list(PERIODS), "description": "case-insensitive"}
