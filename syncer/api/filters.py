"""The list's query parameters: validated by a serializer (a bad value is a 400 naming it, not
an empty page or a database error), then turned into one ``Q`` through a table of filters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q
from rest_framework import serializers

from syncer.db.kinds import KINDS

_BOOLEAN_HELP = "true or false"


class TaskFilterSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(required=False, help_text=_BOOLEAN_HELP)
    managed = serializers.BooleanField(
        required=False, help_text="declared in a schedule file (true) or not (false)"
    )
    paused = serializers.BooleanField(
        required=False, help_text="paused by an operator (true) or not (false)"
    )
    scope = serializers.CharField(
        required=False, max_length=200, help_text="managed by this ownership scope"
    )
    task = serializers.CharField(required=False, max_length=200, help_text="exact task name")
    queue = serializers.CharField(required=False, max_length=200, help_text="exact queue name")
    kind = serializers.ChoiceField(required=False, choices=list(KINDS), help_text="schedule kind")
    search = serializers.CharField(
        required=False, max_length=200, help_text="part of the name, case-insensitive"
    )


_FILTERS: dict[str, Callable[[Any], Q]] = {
    "enabled": lambda value: Q(enabled=value),
    "managed": lambda value: Q(managed_by_syncer__isnull=not value),
    "paused": lambda value: Q(syncer_pause__isnull=not value),
    "scope": lambda value: Q(managed_by_syncer__scope=value),
    "task": lambda value: Q(task=value),
    "queue": lambda value: Q(queue=value),
    "kind": lambda value: Q(**{f"{KINDS[value].fk}__isnull": False}),
    "search": lambda value: Q(name__icontains=value),
}


def filter_query(validated: dict[str, Any]) -> Q:
    query = Q()
    for key, value in validated.items():
        query &= _FILTERS[key](value)
    return query
