"""Loaded files -> one ``DesiredTask`` per name, and every problem found, each with file:line:col.

Structure and types are checked by the pydantic models of ``syncer.core.spec``; this module adds
what needs context (cron fields, time zones, registered task names, names unique across files) and
turns each valid spec into the canonical ``TaskState`` that the diff compares with the rows.
"""

from __future__ import annotations

import difflib
import gc
import hashlib
import json
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from syncer.core import cron
from syncer.core.context import Context
from syncer.core.durations import DurationError, parse_duration, to_interval
from syncer.core.errors import Location, Problem
from syncer.core.interpolate import expand_document
from syncer.core.load import LocDict, SourceFile
from syncer.core.spec import (
    SCHEDULE_KEYS,
    CronMapping,
    Defaults,
    Solar,
    TaskSpec,
    merge_defaults,
)
from syncer.core.state import (
    ClockedKey,
    CrontabKey,
    IntervalKey,
    ScheduleKey,
    SolarKey,
    TaskState,
)

# ``canonical_json`` without a new encoder per call (the same options, so the same text): four
# calls per task.
_json = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
TOP_LEVEL_KEYS = ("version", "defaults", "tasks")
TASK_KEYS = tuple(TaskSpec.model_fields)


@dataclass(frozen=True)
class DesiredTask:
    state: TaskState
    source: Location
    previous_names: tuple[str, ...] = ()
    spec_hash: str = ""
    # Where each declared key stands (the task's own keys, else its file's defaults), as
    # (key, (line, column)) in the task's file: a Location is built only when one is asked for
    # (eight Location objects a task were a tenth of the validation time, and 100 MB at 100,000).
    field_marks: tuple[tuple[str, tuple[int, int]], ...] = ()

    def location_of(self, field: str) -> Location:
        for key, (line, column) in self.field_marks:
            if key == field:
                return Location(self.source.path, line, column)
        return self.source


@dataclass
class Desired:
    tasks: dict[str, DesiredTask] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def build(files: Iterable[SourceFile], context: Context) -> Desired:
    desired = Desired()
    # The garbage collector paused: building creates a handful of objects per task and keeps
    # them, so its passes find nothing to free while walking an ever larger heap (10,000 tasks:
    # a fifth of the time; 100,000: two fifths).
    paused = gc.isenabled()
    gc.disable()
    try:
        for source in files:
            desired.files.append(source.path)
            _build_file(source, context, desired)
    finally:
        if paused:
            gc.enable()
    _check_previous_names(desired)
    desired.problems.sort()
    total = len(desired.tasks)
    if total > context.limits.max_tasks:
        desired.problems.append(
            Problem(
                Location(desired.files[-1] if desired.files else "."),
                f"{total} tasks declared, more than the limit of {context.limits.max_tasks} "
                "(SYNCER_MAX_TASKS)",
            )
        )
    return desired


def _build_file(source: SourceFile, context: Context, desired: Desired) -> None:
    path, data = source.path, source.data
    if data is None:
        desired.problems.append(
            Problem(Location(path, 1, 1), "file is empty: expected a mapping with a 'tasks' key")
        )
        return
    if not isinstance(data, LocDict):
        desired.problems.append(
            Problem(Location(path, 1, 1), "expected a mapping with a 'tasks' key at the top level")
        )
        return
    if source.has_dollar:
        data, missing = expand_document(data, path, context.environ)
        if missing:
            desired.problems.extend(missing)
            return
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            desired.problems.append(
                Problem(_at(path, data, key), _unknown_key(key, TOP_LEVEL_KEYS), field=str(key))
            )
    if "version" in data and (data["version"] != 1 or isinstance(data["version"], bool)):
        desired.problems.append(
            Problem(
                _at(path, data, "version"),
                f"unsupported version {data['version']!r} (1 is the only version)",
                field="version",
            )
        )
    defaults = data.get("defaults")
    if defaults is not None:
        if not isinstance(defaults, LocDict):
            desired.problems.append(
                Problem(_at(path, data, "defaults"), "expected a mapping", field="defaults")
            )
            defaults = None
        else:
            try:
                Defaults.model_validate(dict(defaults))
            except ValidationError as exc:
                desired.problems.extend(
                    _pydantic_problems(exc, path, None, defaults, None, "defaults.")
                )
                defaults = None
    if "tasks" not in data:
        desired.problems.append(Problem(Location(path, 1, 1), "missing key 'tasks'"))
        return
    tasks = data["tasks"]
    if tasks is None:
        return  # `tasks:` with nothing under it declares no task
    if not isinstance(tasks, LocDict):
        desired.problems.append(
            Problem(
                _at(path, data, "tasks"), "expected a mapping of task name -> task", field="tasks"
            )
        )
        return
    for name, raw in tasks.items():
        where = _at(path, tasks, name)
        if not isinstance(name, str):
            desired.problems.append(
                Problem(where, f"task name {name!r} must be a string (quote it)", task=str(name))
            )
            continue
        if not 1 <= len(name) <= 200:
            desired.problems.append(
                Problem(where, "task name must be 1 to 200 characters", task=name)
            )
            continue
        if not isinstance(raw, LocDict):
            desired.problems.append(
                Problem(where, "expected a mapping with at least 'task' and a schedule", task=name)
            )
            continue
        existing = desired.tasks.get(name)
        if existing is not None:
            desired.problems.append(
                Problem(
                    where, f"duplicate task name: already declared at {existing.source}", task=name
                )
            )
            continue
        task = _build_task(path, name, raw, defaults, where, context, desired.problems)
        if task is not None:
            desired.tasks[name] = task


def _build_task(
    path: str,
    name: str,
    raw: LocDict,
    defaults: LocDict | None,
    where: Location,
    context: Context,
    problems: list[Problem],
) -> DesiredTask | None:
    merged = merge_defaults(dict(defaults) if defaults else None, dict(raw))
    try:
        spec = TaskSpec.model_validate(merged)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, path, name, raw, defaults, "", where))
        task_name = merged.get("task")
        if isinstance(task_name, str):
            problems.extend(_task_name_problems(path, name, raw, task_name, context))
        return None
    found: list[Problem] = _task_name_problems(path, name, raw, spec.task, context)

    def problem(key: str, message: str, sub: str | None = None) -> None:
        node = raw if key in raw else defaults if defaults and key in defaults else raw
        location = _at(path, node, key) if key in node else where
        if sub and isinstance(node.get(key), LocDict) and sub in node[key]:
            location = _at(path, node[key], sub)
        found.append(Problem(location, message, task=name, field=f"{key}.{sub}" if sub else key))

    if spec.timezone is not None and "timezone" in raw and spec.cron is None:
        problem("timezone", "timezone applies to cron schedules only")
    schedule = _schedule(spec, context, problem)
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
        one_off=bool(spec.one_off) or spec.clocked is not None,
        enabled=True if spec.enabled is None else spec.enabled,
        description=spec.description or "",
    )
    spec_hash = hashlib.sha256(_json(spec.model_dump(mode="json")).encode()).hexdigest()
    marks: dict[str, tuple[int, int]] = {}
    if defaults:
        default_marks, default_mark = defaults.key_marks, defaults.mark
        marks = {k: default_marks.get(k, default_mark) for k in defaults if isinstance(k, str)}
    own_marks, own_mark = raw.key_marks, raw.mark
    marks.update({k: own_marks.get(k, own_mark) for k in raw if isinstance(k, str)})
    return DesiredTask(
        state, where, tuple(spec.previous_names), spec_hash, tuple(sorted(marks.items()))
    )


def _task_name_problems(
    path: str, name: str, raw: LocDict, task: str, context: Context
) -> list[Problem]:
    if context.known_tasks is None or task in context.known_tasks:
        return []
    close = difflib.get_close_matches(task, sorted(context.known_tasks), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    location = _at(path, raw, "task") if "task" in raw else Location(path, *raw.mark)
    return [
        Problem(
            location,
            f"{task!r} is not a task registered in the Celery app{hint}",
            task=name,
            field="task",
        )
    ]


def _schedule(spec: TaskSpec, context: Context, problem: Any) -> ScheduleKey | None:
    if spec.every is not None:
        try:
            every, period = to_interval(parse_duration(spec.every))
        except DurationError as exc:
            problem("every", str(exc))
            return None
        return IntervalKey(every, period)
    if spec.cron is not None:
        return _crontab(spec, context, problem)
    if spec.solar is not None:
        return SolarKey(
            spec.solar.event, _six_places(spec.solar.latitude), _six_places(spec.solar.longitude)
        )
    assert spec.clocked is not None
    return ClockedKey(spec.clocked.astimezone(UTC))


def _crontab(spec: TaskSpec, context: Context, problem: Any) -> CrontabKey | None:
    try:
        if isinstance(spec.cron, str):
            fields = cron.parse_text(spec.cron)
        else:
            assert spec.cron is not None
            fields = cron.from_mapping(spec.cron.model_dump())
    except cron.CronError as exc:
        problem("cron", str(exc), exc.field)
        return None
    errors = _cron_errors(fields)
    for error in errors:
        sub = error.field if not isinstance(spec.cron, str) else None
        prefix = f"{error.field}: " if error.field and sub is None else ""
        problem("cron", prefix + str(error), sub)
    tz = spec.timezone or context.default_timezone
    if not _valid_timezone(tz):
        problem("timezone", f"unknown time zone {tz!r} (use an IANA name such as Europe/Berlin)")
        return None
    if errors:
        return None
    return CrontabKey(
        fields.minute,
        fields.hour,
        fields.day_of_month,
        fields.month_of_year,
        fields.day_of_week,
        tz,
    )


@lru_cache(maxsize=4096)
def _cron_errors(fields: cron.CronFields) -> tuple[cron.CronError, ...]:
    """``cron.check`` once per distinct expression: thousands of tasks share a few dozen, and each
    check builds six Celery crontab objects and runs five validators (~0.5 ms)."""
    return tuple(cron.check(fields))


@lru_cache(maxsize=1024)
def _valid_timezone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _six_places(value: Decimal) -> str:
    six = value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
    # -0.000000 (from -0.0, or -0.0000001 rounded) is stored as 0: compare as the row reads back.
    return str(six.copy_abs() if six.is_zero() else six)


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _check_previous_names(desired: Desired) -> None:
    claimed: dict[str, str] = {}
    for name, task in desired.tasks.items():
        for old in task.previous_names:
            if old == name:
                desired.problems.append(
                    Problem(
                        task.source,
                        "previous_names lists the task's own name",
                        name,
                        "previous_names",
                    )
                )
            elif old in desired.tasks:
                desired.problems.append(
                    Problem(
                        task.source,
                        f"previous name {old!r} is still declared (at {desired.tasks[old].source})",
                        name,
                        "previous_names",
                    )
                )
            elif old in claimed:
                desired.problems.append(
                    Problem(
                        task.source,
                        f"previous name {old!r} is also claimed by task {claimed[old]!r}",
                        name,
                        "previous_names",
                    )
                )
            else:
                claimed[old] = name


def _at(path: str, node: LocDict, key: Any) -> Location:
    line, column = node.key_marks.get(key, node.mark)
    return Location(path, line, column)


def _unknown_key(key: Any, allowed: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(key), list(allowed), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(allowed)})"
    return f"unknown key {key!r}{hint}"


def _pydantic_problems(
    exc: ValidationError,
    path: str,
    task: str | None,
    raw: LocDict,
    defaults: LocDict | None,
    prefix: str,
    where: Location | None = None,
) -> list[Problem]:
    problems = []
    for error in _drop_rejected_branches(exc.errors(include_url=False)):
        loc = _strip_union_branches(error["loc"])
        location = where or Location(path, *raw.mark)
        node: Any = raw
        if (
            loc
            and not (isinstance(loc[0], str) and loc[0] in raw)
            and defaults
            and loc[0] in defaults
        ):
            node = defaults
        for part in loc:
            if isinstance(node, LocDict) and part in node.key_marks:
                location = _at(path, node, part)
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                break
        message = error["msg"]
        if error["type"] == "extra_forbidden" and loc:
            allowed = TASK_KEYS if task is not None else tuple(Defaults.model_fields)
            if len(loc) > 1:
                allowed = _NESTED_KEYS.get(loc[0], ())
            message = _unknown_key(loc[-1], allowed)
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        elif error["type"] == "missing" and loc == ("task",):
            message = "required key 'task' is missing"
        field_name = prefix + ".".join(str(p) for p in loc) if loc else (prefix.rstrip(".") or None)
        if field_name in SCHEDULE_KEYS and error["type"].endswith("_type"):
            message = f"{message} ({_schedule_hint(field_name)})"
        elif field_name and field_name.startswith("cron.") and error["type"].endswith("_type"):
            message = f"{message} (a cron field such as '*/15', '1-5', 'mon,fri', or an integer)"
        problems.append(Problem(location, message, task=task, field=field_name))
    # One report per position and field: unions repeat the same complaint per branch.
    unique: dict[tuple[Location, str | None], Problem] = {}
    for p in problems:
        unique.setdefault((p.location, p.field), p)
    return list(unique.values())


# The branch tags pydantic puts in an error's loc (unions, and JsonValue's float/dict/list).
_UNION_BRANCHES = {
    "str",
    "int",
    "float",
    "dict",
    "list",
    "CronMapping",
    "constrained-str",
    "constrained-int",
}
_NESTED_KEYS = {"cron": tuple(CronMapping.model_fields), "solar": tuple(Solar.model_fields)}


def _is_branch(part: Any) -> bool:
    return isinstance(part, str) and (
        part in _UNION_BRANCHES or part.startswith(("function-", "json-or-python"))
    )


def _drop_rejected_branches(errors: list[Any]) -> list[Any]:
    """A union reports every branch. A branch that rejected the value's type outright is noise
    when another branch of the same union got further: a cron mapping with a bad minute is not
    "not a valid string", its minute is out of range."""

    def rejected_at(error: Any) -> tuple[Any, ...] | None:
        loc = error["loc"]
        if error["type"].endswith("_type") and loc and _is_branch(loc[-1]):
            return tuple(loc[:-1])
        return None

    sites = [rejected_at(error) for error in errors]
    kept = []
    for error, site in zip(errors, sites, strict=True):
        if site is not None and any(
            other_site != site
            and tuple(other["loc"][: len(site)]) == site
            and len(other["loc"]) > len(site)
            and other["loc"][len(site)] != error["loc"][-1]
            for other, other_site in zip(errors, sites, strict=True)
        ):
            continue
        kept.append(error)
    return kept


def _strip_union_branches(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(part for part in loc if not _is_branch(part))


def _schedule_hint(key: str) -> str:
    return {
        "every": "a duration such as 30s, 5m, 1h30m, or an integer of seconds",
        "cron": "a string such as '0 3 * * mon-fri' or a mapping of cron fields",
        "solar": "a mapping with event, latitude, longitude",
        "clocked": "a date-time with an offset, such as 2026-12-24T18:00:00+01:00",
    }[key]
