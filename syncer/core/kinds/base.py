"""What a schedule kind is made of, so that every layer can handle kinds through one table.

A ``Kind`` gathers everything the core knows about one kind of schedule: the key that declares it
in a file and the type of that key's value (from which the spec and the JSON Schema are built),
its canonical value (``ScheduleKey``), and the functions that turn a validated spec into that
value, lint it, write it back into a file and read it from a Celery ``beat_schedule``. The DB
layer keeps its own table under the same names (``syncer.db.kinds``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    from syncer.core.context import Context


class ScheduleKey(Protocol):
    """A schedule as a value: frozen, hashable, equal when beat would run the same times."""

    kind: ClassVar[str]

    def __hash__(self) -> int: ...

    def describe(self) -> str: ...

    def to_json(self) -> dict[str, Any]: ...

    def zone(self) -> str | None:
        """The time zone the schedule is expressed in, if it has one of its own."""
        ...

    def fixed_period(self) -> timedelta | None:
        """The time between two runs when it never varies (beat runs such a schedule at
        ``last_run_at + k * period``): fire times by arithmetic instead of simulation."""
        ...


class Unrepresentable(ValueError):
    """A value the schedule format cannot express (export, beat_schedule import)."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field


# report(key, message, sub): a problem with the declared key ``key`` (``sub``: a key inside it).
Report = Callable[[str, str, "str | None"], None]
# (the declared key to point at, the message) or, for a warning that many tasks can share, with
# the group's own message as a third item: text output shows one line for the whole group
# (``syncer.errors.Problem.group``).
Lint = tuple[str, str] | tuple[str, str, str]


def no_lints(key: Any, now: datetime) -> Iterable[Lint]:
    return ()


@dataclass(frozen=True)
class Kind:
    name: str  # canonical: "kind" in plan JSON and the API, ManagedSchedule.kind, the DB table
    spec_key: str  # the key that declares it in a schedule file
    key_type: type  # its ``ScheduleKey`` class
    # The name, in syncer.core.kinds.spec_types, of the pydantic type of that key's value (with
    # its Field: description): see ``annotation``.
    spec_type: str
    hint: str  # what the value looks like, added to a type error
    to_key: Callable[[Any, Context, Report], ScheduleKey | None]  # validated spec -> value
    to_file: Callable[[Any], dict[str, Any]]  # value -> the keys of a task mapping (export)
    # A Celery beat_schedule value -> (value, whether the default time zone was used), or None
    # when the value is not of this kind.
    from_beat: Callable[[Any, str], tuple[ScheduleKey, bool] | None]
    lints: Callable[[Any, datetime], Iterable[Lint]] = no_lints
    uses_timezone: bool = False  # the task's `timezone` key applies to it
    runs_once: bool = False  # implies one_off (beat disables it after its run)
    nested_keys: tuple[str, ...] = ()  # keys of its mapping form (for "did you mean" hints)
    nested_hint: str = ""  # what a value inside its mapping form looks like

    @property
    def annotation(self) -> Any:
        """The pydantic type of the key's value, imported when the spec is built: the kinds are
        imported by every ``django.setup()`` of the project (``syncer.db.kinds``, for the ORM
        signals), which thus imports no pydantic."""
        from syncer.core.kinds import spec_types

        return getattr(spec_types, self.spec_type)
