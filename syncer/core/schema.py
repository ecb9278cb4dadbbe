"""The JSON Schema of the schedule format, generated from the pydantic models that validate it
(for editors: ``# yaml-language-server: $schema=...``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from syncer.core.spec import BRANCHES, FileSpec

SCHEMA_ID = "https://beat-sync.dev/schema/schedules-v1.json"


def json_schema(task_names: Iterable[str] | None = None) -> dict[str, Any]:
    schema = FileSpec.model_json_schema()
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}
    names = sorted(task_names or ())
    if names:
        for branch in BRANCHES.values():
            schema["$defs"][branch.__name__]["properties"]["task"]["enum"] = names
    return schema
