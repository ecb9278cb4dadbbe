"""One valid spec -> a ``DesiredTask``: the checks that need the project (registered task names,
and each kind's own: cron fields, time zones), then the canonical ``TaskState``.

This is the hot part of validation (once per task): no Location is built unless a problem needs
one, and each key's (line, column) is kept as a pair (see ``DesiredTask.field_marks``).
"""

from __future__ import annotations

import difflib
import hashlib
import json
from datetime import UTC, datetime, timedelta

from syncer.core.context import Context
from syncer.core.desired_task import DesiredTask, FieldMarks
from syncer.core.durations import parse_duration
from syncer.core.errors import Location, Problem
from syncer.core.load import LocDict
from syncer.core.spec import TASK_KEYS, TaskBase
from syncer.core.spec_errors import at
from syncer.core.state import TaskState

# ``canonical_json`` without a new encoder per call (the same options, so the same text): four
# calls per task.
_json = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def build_task(
    path: str,
    name: str,
    spec: TaskBase,
    raw: LocDict,
    defaults: LocDict | None,
    where: Location,
    context: Context,
    problems: list[Problem],
) -> DesiredTask | None:
    found: list[Problem] = task_name_problems(path, name, raw, spec.task, context)

    def report(key: str, message: str, sub: str | None) -> None:
        node = raw if key in raw else defaults if defaults and key in defaults else raw
        location = at(path, node, key) if key in node else where
        if sub and isinstance(node.get(key), LocDict) and sub in node[key]:
            location = at(path, node[key], sub)
        found.append(Problem(location, message, task=name, field=f"{key}.{sub}" if sub else key))

    kind = spec.kind()
    schedule = kind.to_key(spec, context, report)
    if found or schedule is None:
        problems.extend(found)
        return None
    state = TaskState(
        name=name,
        task=spec.task,
        schedule=schedule,
        args=_json(spec.args) if spec.args else "[]",
        kwargs=_json(spec.kwargs) if spec.kwargs else "{}",
        queue=spec.queue or None,
        exchange=spec.exchange or None,
        routing_key=spec.routing_key or None,
        priority=spec.priority,
        headers=_json(spec.headers) if spec.headers else "{}",
        expires=_utc(spec.expires),
        expire_seconds=spec.expire_seconds,
        start_time=_utc(spec.start_time),
        one_off=bool(spec.one_off) or kind.runs_once,
        enabled=True if spec.enabled is None else spec.enabled,
        description=spec.description or "",
        starting_deadline=_duration(spec.starting_deadline),
        grace=_duration(spec.grace),
        overlap=spec.overlap or "allow",
        jitter=_duration(spec.jitter),
    )
    return DesiredTask(
        state,
        where,
        tuple(spec.previous_names),
        spec_hash(spec),
        _marks(raw, defaults),
        spec.previous_scope,
    )


# ``previous_scope`` is an instruction for one move between owners, not part of the task: adding
# or removing it once the move is done changes no hash.
_HASHED_KEYS = tuple(key for key in TASK_KEYS if key != "previous_scope")


def spec_hash(spec: TaskBase) -> str:
    """A hash of the declaration as validated. Every task key is in it (None when absent), as
    when the spec was one model of all keys: hashes recorded by earlier versions still match."""
    dumped = spec.model_dump(mode="json")
    get = dumped.get
    payload = {key: get(key) for key in _FIRST_KEYS}
    for key in _LATER_KEYS:
        value = get(key)
        if value is not None:
            payload[key] = value
    return hashlib.sha256(_json(payload).encode()).hexdigest()


def _marks(raw: LocDict, defaults: LocDict | None) -> FieldMarks:
    marks: dict[str, tuple[int, int]] = {}
    if defaults:
        default_marks, default_mark = defaults.key_marks, defaults.mark
        marks = {k: default_marks.get(k, default_mark) for k in defaults if isinstance(k, str)}
    own_marks, own_mark = raw.key_marks, raw.mark
    marks.update({k: own_marks.get(k, own_mark) for k in raw if isinstance(k, str)})
    return FieldMarks.of(sorted(marks.items()))


def task_name_problems(
    path: str, name: str, raw: LocDict, task: str, context: Context
) -> list[Problem]:
    if context.known_tasks is None or task in context.known_tasks:
        return []
    close = difflib.get_close_matches(task, sorted(context.known_tasks), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    location = at(path, raw, "task") if "task" in raw else Location(path, *raw.mark)
    return [
        Problem(
            location,
            f"{task!r} is not a task registered in the Celery app{hint}",
            task=name,
            field="task",
        )
    ]


# Keys added after the hash's form was fixed: in the hash only when set, so that the hashes of
# tasks that do not use them stay those recorded before (no ledger rewrite on upgrade).
_LATER_KEYS = ("starting_deadline", "overlap", "jitter", "grace")
_FIRST_KEYS = tuple(key for key in _HASHED_KEYS if key not in _LATER_KEYS)


def _duration(value: str | int | None) -> timedelta | None:
    return None if value is None else timedelta(microseconds=parse_duration(value))


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)
