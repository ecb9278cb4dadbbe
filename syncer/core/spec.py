"""The public schedule format (version 1) as pydantic models: the one validator of a file, and
the source of its JSON Schema (``syncer schema``).

A task is a discriminated union with one branch per schedule kind (``syncer.core.kinds``): the
format has no ``kind`` key, so the branch is picked by which schedule key the task has. A task
with none or several of them goes to a fallback branch that reports "exactly one of ..." after
its fields, and is left out of the JSON Schema, where the branches form a ``oneOf``. The rules
across fields are ``syncer.core.rules``; checks that need the project (cron fields, time zones,
registered task names) come after, in ``syncer.core.task_build``.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, Union, cast

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    JsonValue,
    StringConstraints,
    Tag,
    TypeAdapter,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from syncer.core import rules
from syncer.core.kinds import BY_SPEC_KEY, KINDS, SPEC_KEYS, Kind
from syncer.core.spec_types import (
    Datetime,
    Name200,
    PolicyDuration,
    PreviousName,
    ScopeName,
    Strict,
    TaskName,
)

FALLBACK_TAG = "unscheduled"
# pydantic builds a model's validator when its class is made (a few ms each, at import). Nothing
# validates against TaskOptions or TaskBase themselves (they hold what their subclasses share), so
# theirs is never built; each subclass that validates builds its own again, as before.
_SHARED_ONLY = ConfigDict(defer_build=True)
_VALIDATES = ConfigDict(defer_build=False)


class TaskOptions(Strict):
    """Keys that a file's ``defaults`` may set for all its tasks."""

    model_config = _SHARED_ONLY

    args: list[JsonValue] | None = None
    kwargs: dict[str, JsonValue] | None = None
    queue: Name200 | None = None
    exchange: Name200 | None = None
    routing_key: Name200 | None = None
    priority: Annotated[int, Field(ge=rules.PRIORITY_MIN, le=rules.PRIORITY_MAX)] | None = None
    headers: dict[str, JsonValue] | None = None
    expires: Datetime | None = None
    expire_seconds: Annotated[int, Field(ge=0, le=rules.EXPIRE_SECONDS_MAX)] | None = None
    start_time: Datetime | None = None
    one_off: bool | None = None
    enabled: bool | None = None
    description: str | None = None
    timezone: (
        Annotated[str, StringConstraints(min_length=1, max_length=rules.TIMEZONE_MAX)] | None
    ) = Field(default=None, description="IANA time zone of a cron schedule (default: Celery's)")
    # Run policies, enforced by the companion scheduler (`syncer.beat:Scheduler`).
    starting_deadline: PolicyDuration | None = Field(
        default=None, description="A slot reached later than this is skipped, not run"
    )
    overlap: Literal["allow", "skip"] | None = Field(
        default=None, description="skip: no run while the previous run has not finished"
    )
    jitter: PolicyDuration | None = Field(
        default=None, description="Delay every run by a stable per-task offset in [0, jitter)"
    )
    # Run health (`syncer status`, /metrics): how late a run may start before it is `late`.
    grace: PolicyDuration | None = Field(
        default=None,
        description="A run later than this is late (default: a tenth of the period, 30 s to 1 h)",
    )


class Defaults(TaskOptions):
    model_config = _VALIDATES


class TaskBase(TaskOptions):
    """What every task has; each kind's branch adds its schedule key."""

    # Not built either (it inherits _SHARED_ONLY): its branches are.

    task: Name200 = Field(description="A task registered in the project's Celery app")
    previous_names: list[PreviousName] = Field(
        default_factory=list, description="Earlier names of this task: the row is renamed in place"
    )
    previous_scope: ScopeName | None = Field(
        default=None,
        description="The ownership scope that owns the task now: this scope takes it over",
    )
    schedule_kind: ClassVar[Kind | None] = None

    def kind(self) -> Kind:
        assert self.schedule_kind is not None
        return self.schedule_kind

    @field_validator("timezone")
    @classmethod
    def _timezone_applies(cls, value: str | None) -> str | None:
        message = None if cls.schedule_kind is None else rules.timezone_misplaced(cls.schedule_kind)
        if value is not None and message:
            raise ValueError(message)
        return value

    @model_validator(mode="after")
    def _task_rules(self) -> TaskBase:
        kind = self.kind()
        for message in (
            rules.expiry_conflict(self.expires, self.expire_seconds),
            rules.runs_once_conflict(kind, self.one_off),
        ):
            if message:
                raise ValueError(message)
        return self


def _without_timezone(schema: dict[str, Any]) -> None:
    # The validator refuses it on these kinds; editors should not offer it either.
    schema["properties"].pop("timezone", None)


def _branch(kind: Kind) -> type[TaskBase]:
    namespace: dict[str, Any] = {
        "__annotations__": {kind.spec_key: kind.annotation},
        "__module__": __name__,
        "__doc__": f"A task scheduled by ``{kind.spec_key}`` ({kind.name}).",
        "schedule_kind": kind,
        "model_config": _VALIDATES,
    }
    if not kind.uses_timezone:
        namespace["model_config"] = ConfigDict(
            defer_build=False, json_schema_extra=_without_timezone
        )
    return cast(type[TaskBase], type(f"{kind.spec_key.capitalize()}Task", (TaskBase,), namespace))


BRANCHES: dict[str, type[TaskBase]] = {kind.spec_key: _branch(kind) for kind in KINDS.values()}


class _Unscheduled(TaskBase):
    """A task with none or several schedule keys: its fields are checked as usual, then it is
    refused with the list of keys found."""

    def kind(self) -> Kind:
        present = [key for key in SPEC_KEYS if getattr(self, key, None) is not None]
        if len(present) != 1:
            found = f" (found: {', '.join(present)})" if present else ""
            raise ValueError(f"exactly one of {', '.join(SPEC_KEYS)} is required{found}")
        return BY_SPEC_KEY[present[0]]


Unscheduled = cast(
    type[_Unscheduled],
    type(
        "UnscheduledTask",
        (_Unscheduled,),
        {
            "__annotations__": {k.spec_key: k.annotation | None for k in KINDS.values()},
            "__module__": __name__,
            "model_config": _VALIDATES,
            **{k.spec_key: None for k in KINDS.values()},
        },
    ),
)


def _schedule_tag(value: Any) -> str:
    """The branch of a task: its one schedule key, else the fallback."""
    if isinstance(value, dict):
        present = [key for key in SPEC_KEYS if key in value]
        if len(present) == 1 and value[present[0]] is not None:
            return present[0]
    return FALLBACK_TAG


_BRANCH_TYPES = tuple(Annotated[model, Tag(key)] for key, model in BRANCHES.items())
TaskSpec = Annotated[
    Union[(*_BRANCH_TYPES, Annotated[SkipJsonSchema[Unscheduled], Tag(FALLBACK_TAG)])],  # type: ignore[valid-type]
    Discriminator(_schedule_tag),
]
TASK = TypeAdapter(TaskSpec)
# Every key a task may have, in the order of the format's documentation.
TASK_KEYS: tuple[str, ...] = (
    *TaskOptions.model_fields,
    "task",
    *SPEC_KEYS,
    "previous_names",
    "previous_scope",
)


def _version(value: Any) -> Any:
    if value != 1 or isinstance(value, bool):
        raise ValueError(f"unsupported version {value!r} (1 is the only version)")
    return value


class FileSpec(Strict):
    """A schedule file. ``tasks`` maps each PeriodicTask name to its declaration."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        json_schema_extra={"additionalProperties": False},
        title="beat-sync schedule file (version 1)",
    )

    version: Annotated[Literal[1], BeforeValidator(_version)] = 1
    defaults: Defaults | None = None
    tasks: dict[TaskName, TaskSpec] | None = Field(
        description="task name -> task (`tasks: {}` or an empty `tasks:` declares none)"
    )


FILE_KEYS: tuple[str, ...] = tuple(FileSpec.model_fields)


def merge_defaults(defaults: dict[str, Any] | None, task: dict[str, Any]) -> dict[str, Any]:
    """A task's raw mapping with its file's defaults filled in (the task's own keys win). A
    default time zone concerns only the kinds that have one."""
    if not defaults:
        return dict(task)
    merged = dict(defaults)
    if "timezone" in merged and not any(
        kind.uses_timezone and kind.spec_key in task for kind in KINDS.values()
    ):
        del merged["timezone"]
    merged.update(task)
    return merged
