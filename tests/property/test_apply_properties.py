"""Properties of apply over random valid schedules, on the real database and the real path:
YAML files on disk -> ``tests.helpers.desired_from`` -> ``syncer.db.apply.apply``.

1. Idempotence: after apply(S), the plan is empty and a second apply issues no write statement.
2. Path independence: apply(A) then apply(B) leaves the same rows as apply(B) alone.
3. Convergence: any sequence of 2-4 applies ends where a fresh apply of the last one ends.

"The same rows": every declared column of every task, the schedule value it points to, whether
the syncer owns it, and the multiset of schedule values in each schedule table; ids, timestamps
and runtime columns are ignored. Pre-existing rows the syncer does not own are sometimes present:
the "fresh" world keeps those that the earlier applies did not take over (a row that a file
declared, or renamed through ``previous_names``, is owned from then on, and deleted once no
longer declared); ``taken_over`` is that rule as a model.

Hypothesis runs many examples inside one pytest-django test transaction: each example empties
the tables first.
"""

from __future__ import annotations

import json
import os
import shutil
import string
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    PeriodicTasks,
    SolarSchedule,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from syncer.core.kinds.solar import SOLAR_EVENTS
from syncer.db.apply import apply, make_plan
from syncer.models import ApplyRecord, ManagedSchedule, ManagedTask
from tests.helpers import desired_from

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # no slow "explain"
)
WRITES = ("INSERT", "UPDATE", "DELETE")
NAMES = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "ünïcödé-名前")
# Rows made outside the syncer may carry a declared name (then adopted) but are never the target
# of a rename: ``previous_names`` naming an unowned row renames it only if the new name does not
# exist yet, which depends on history by design (apply(A) may have created the new name first).
RENAMEABLE = NAMES[:5]
UNOWNED_NAMES = (*NAMES[5:], "admin-1", "admin-2")
TASKS = ("tasks.print_hello", "tasks.write_to_file", "celery.backend_cleanup")
TIMEZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe")

# --- strategies: one valid task spec ----------------------------------------------------------

text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)
short_name = st.text(alphabet=string.ascii_letters + string.digits + "._-", min_size=1, max_size=20)
json_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
offsets = st.sampled_from([0, 60, -300, 330, 345, -570, 840]).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 12, 31), timezones=offsets
)


def iso(moment: datetime) -> str:
    return moment.isoformat()


UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
every = st.one_of(
    st.integers(1, 2**31 - 1),
    st.builds(lambda n, unit: f"{n}{unit}", st.integers(1, 5000), st.sampled_from(list(UNITS))),
    st.builds(lambda n: f"{n}ms", st.integers(1, 10**6)),
    st.sampled_from(["1h30m", "90 seconds", "2 days", "1w", "10us"]),
)
CRON_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
cron_fields = st.fixed_dictionaries(
    {
        "minute": st.sampled_from(["*", "0", "*/15", "5,35", "0-10", 7]),
        "hour": st.sampled_from(["*", "3", "9-17", "*/6", 23]),
        "day_of_month": st.sampled_from(["*", "1", "1-15", "28"]),
        "month_of_year": st.sampled_from(["*", "1", "jan,jul", "6-8"]),
        "day_of_week": st.sampled_from(["*", "mon-fri", "0", "sat,sun"]),
    }
)
cron = st.one_of(
    cron_fields.map(lambda f: " ".join(str(f[k]) for k in CRON_FIELDS)),
    cron_fields,
    st.sampled_from(["@hourly", "@daily", "@weekly", "@monthly", "@yearly"]),
)
# Coordinates as text (exact) or as YAML floats; with the values rounding makes interesting:
# -0.0 and tiny negatives round to -0.000000, which the column stores as 0.
EDGE_COORDINATES = ("-0.0000001", "0.0000005", "-0.0", -0.0, "89.9999995", "-89.9999995")
solar = st.fixed_dictionaries(
    {
        "event": st.sampled_from(SOLAR_EVENTS),
        "latitude": st.one_of(
            st.decimals(-90, 90, places=6).map(str), st.sampled_from(EDGE_COORDINATES)
        ),
        "longitude": st.one_of(
            st.decimals(-180, 180, places=6).map(str),
            st.decimals(-180, 180, places=3).map(float),
            st.sampled_from((*EDGE_COORDINATES, "179.9999995", "-180")),
        ),
    }
)
schedule = st.one_of(
    st.fixed_dictionaries({"every": every}),
    st.fixed_dictionaries({"cron": cron}, optional={"timezone": st.sampled_from(TIMEZONES)}),
    st.fixed_dictionaries({"solar": solar}),
    st.fixed_dictionaries({"clocked": moments.map(iso)}),
)
options = st.fixed_dictionaries(
    {},
    optional={
        "args": st.lists(json_value, max_size=3),
        "kwargs": st.dictionaries(text, json_value, max_size=3),
        "queue": short_name,
        "exchange": short_name,
        "routing_key": short_name,
        "priority": st.integers(0, 255),
        "headers": st.dictionaries(text, json_value, max_size=2),
        "start_time": moments.map(iso),
        "one_off": st.booleans(),
        "enabled": st.booleans(),
        "description": text,
    },
)
expiry = st.one_of(
    st.just({}),
    st.builds(lambda m: {"expires": iso(m)}, moments),
    st.builds(lambda s: {"expire_seconds": s}, st.integers(0, 2**31 - 1)),
)


@st.composite
def task_spec(draw: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"task": draw(st.sampled_from(TASKS))}
    spec.update(draw(schedule))
    spec.update(draw(options))
    spec.update(draw(expiry))
    if "clocked" in spec and spec.get("one_off") is False:
        del spec["one_off"]  # a clocked schedule runs once
    return spec


@dataclass
class Spec:
    """Task name -> spec, and how the tasks are spread over files (with per-file defaults)."""

    tasks: dict[str, dict[str, Any]]
    files: dict[str, list[str]] = field(default_factory=dict)
    defaults: dict[str, dict[str, Any]] = field(default_factory=dict)

    def previous(self, name: str) -> list[str]:
        return list(self.tasks[name].get("previous_names", []))


FILE_NAMES = ("a.yaml", "b.yml", "team/c.yaml", "team/deeper/d.yaml")
file_defaults = st.fixed_dictionaries(
    {},
    optional={
        "queue": short_name,
        "priority": st.integers(0, 255),
        "timezone": st.sampled_from(TIMEZONES),
        "enabled": st.booleans(),
        "description": text,
        "kwargs": st.dictionaries(text, json_value, max_size=2),
    },
)


@st.composite
def specs(draw: Any) -> Spec:
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=len(NAMES)))
    return draw(laid_out({name: draw(task_spec()) for name in names}))


SCHEDULE_KEYS = ("every", "cron", "solar", "clocked", "timezone")
TWEAKS = {  # one field of a task changed, the way a file is edited between two applies
    "enabled": st.booleans(),
    "one_off": st.booleans(),
    "priority": st.integers(0, 255),
    "queue": short_name,
    "description": text,
    "kwargs": st.dictionaries(text, json_value, max_size=2),
    "schedule": schedule,
    "expiry": expiry,
}


@st.composite
def variant(draw: Any, base: Spec) -> Spec:
    """``base`` edited: tasks kept, dropped or with one field changed, and new tasks."""
    tasks: dict[str, dict[str, Any]] = {}
    for name, spec in base.tasks.items():
        action = draw(st.sampled_from(["keep", "keep", "tweak", "tweak", "drop"]))
        if action == "drop":
            continue
        spec = {key: value for key, value in spec.items() if key != "previous_names"}
        if action == "tweak":
            key = draw(st.sampled_from(sorted(TWEAKS)))
            value = draw(TWEAKS[key])
            if key == "schedule":
                spec = {k: v for k, v in spec.items() if k not in SCHEDULE_KEYS} | value
            elif key == "expiry":
                spec = {k: v for k, v in spec.items() if k not in ("expires", "expire_seconds")}
                spec |= value
            else:
                spec[key] = value
            if "clocked" in spec and spec.get("one_off") is False:
                del spec["one_off"]
        tasks[name] = spec
    for name in draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=2)):
        tasks.setdefault(name, draw(task_spec()))
    return draw(laid_out(tasks))


@st.composite
def laid_out(draw: Any, tasks: dict[str, dict[str, Any]]) -> Spec:
    """Tasks spread over files (some with defaults), some renamed from a name not declared."""
    claimed: set[str] = set()
    for name in tasks:
        free = [n for n in RENAMEABLE if n not in tasks and n not in claimed]
        if free and draw(st.integers(0, 4)) == 0:
            old = draw(st.sampled_from(free))
            claimed.add(old)
            tasks[name]["previous_names"] = [old]
    files: dict[str, list[str]] = {}
    for name in tasks:
        files.setdefault(draw(st.sampled_from(FILE_NAMES)), []).append(name)
    defaults = {path: draw(file_defaults) for path in files if draw(st.integers(0, 3)) == 0}
    return Spec(tasks, files, defaults)


@st.composite
def histories(draw: Any, min_size: int, max_size: int) -> list[Spec]:
    """Specs in apply order, each one either new or an edit of the one before."""
    sequence = [draw(specs())]
    while len(sequence) < draw(st.integers(min_size, max_size)):
        sequence.append(draw(st.one_of(specs(), variant(sequence[-1]))))
    return sequence


# Pre-existing rows nobody declared to the syncer (made in the admin): sometimes with a name a
# file declares (adopted then), sometimes not (left alone).
@dataclass(frozen=True)
class Unowned:
    name: str
    interval: tuple[int, str] | None
    crontab_hour: str | None
    queue: str | None
    args: str


unowned_rows = st.lists(
    st.builds(
        Unowned,
        name=st.sampled_from(UNOWNED_NAMES),
        interval=st.one_of(
            st.none(),
            st.tuples(st.sampled_from([1, 5, 60]), st.sampled_from(["seconds", "minutes"])),
        ),
        crontab_hour=st.sampled_from(["3", "*"]),
        queue=st.one_of(st.none(), st.just("admin")),
        args=st.sampled_from(["[]", "[1, 2]", "not json"]),
    ),
    max_size=3,
    unique_by=lambda row: row.name,
)

# --- the worlds -----------------------------------------------------------------------------


def reset() -> None:
    for model in (ManagedTask, PeriodicTask, ManagedSchedule, ApplyRecord, PeriodicTasks):
        model.objects.all().delete()
    for model in (IntervalSchedule, CrontabSchedule, SolarSchedule, ClockedSchedule):
        model.objects.all().delete()


def make_unowned(rows: list[Unowned], keep: set[str]) -> None:
    """Every row's schedule (schedule rows are never deleted by the syncer unless it made them),
    and the tasks named in ``keep``."""
    for row in rows:
        if row.interval is not None:
            schedule: dict[str, Any] = {
                "interval": IntervalSchedule.objects.create(
                    every=row.interval[0], period=row.interval[1]
                )
            }
        else:
            schedule = {
                "crontab": CrontabSchedule.objects.create(minute="0", hour=row.crontab_hour)
            }
        if row.name in keep:
            PeriodicTask.objects.create(
                name=row.name, task="tasks.print_hello", queue=row.queue, args=row.args, **schedule
            )


def render(spec: Spec, root: Path) -> Path:
    for path, names in spec.files.items():
        document: dict[str, Any] = {"version": 1}
        if path in spec.defaults:
            document["defaults"] = spec.defaults[path]
        document["tasks"] = {name: spec.tasks[name] for name in names}
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=10**6),
            encoding="utf-8",
        )
    return root


def _files_root() -> Path:
    return Path(tempfile.gettempdir()) / f"beat-sync-property-{os.getpid()}"


@pytest.fixture(scope="module", autouse=True)
def _remove_the_files_afterwards():
    yield
    shutil.rmtree(_files_root(), ignore_errors=True)


def desired_tasks(spec: Spec) -> dict[str, Any]:
    """The real path from files: render, discover, load, validate; always from the same
    directory, as a repository checkout would be (the ledger records each task's file)."""
    root = _files_root()
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    desired = desired_from(render(spec, root))
    assert desired.errors == [], [str(p) for p in desired.errors]
    return desired.tasks


def apply_spec(spec: Spec):
    return apply(desired_tasks(spec), force=True, allow_empty=True)


def taken_over(unowned: set[str], sequence: list[Spec]) -> set[str]:
    """The pre-existing unowned rows that applying ``sequence`` adopts or renames."""
    present, owned, free, taken = set(unowned), set(), set(unowned), set()
    for spec in sequence:
        declared = set(spec.tasks)
        for name in declared:
            row = name  # the row this declaration takes: its own, or the one it renames
            if name not in present:
                previous = spec.previous(name)
                old = next((p for p in previous if p in present and p not in declared), None)
                if old is None:
                    present.add(name)
                    owned.add(name)
                    continue
                present.discard(old)
                owned.discard(old)
                present.add(name)
                row = old
            owned.add(name)
            if row in free:
                free.discard(row)
                taken.add(row)
        present -= owned - declared
        owned &= declared
    return taken


def dump() -> dict[str, Any]:
    """The declared state of every row, comparable across databases and histories."""
    managed = set(ManagedTask.objects.values_list("task__name", flat=True))
    tasks = {}
    for task in PeriodicTask.objects.select_related("interval", "crontab", "solar", "clocked"):
        tasks[task.name] = (
            task.task,
            _json(task.args),
            _json(task.kwargs),
            task.queue or None,
            task.exchange or None,
            task.routing_key or None,
            task.priority,
            _json(task.headers),
            task.expires and task.expires.astimezone(UTC),
            task.expire_seconds,
            task.start_time and task.start_time.astimezone(UTC),
            task.one_off,
            task.enabled,
            task.description,
            _schedule_value(task),
            task.name in managed,
        )
    schedules = {
        "interval": Counter(IntervalSchedule.objects.values_list("every", "period")),
        "crontab": Counter(
            (m, h, dom, moy, dow, str(tz))
            for m, h, dom, moy, dow, tz in CrontabSchedule.objects.values_list(
                "minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone"
            )
        ),
        "solar": Counter(
            (event, Decimal(lat), Decimal(lon))
            for event, lat, lon in SolarSchedule.objects.values_list(
                "event", "latitude", "longitude"
            )
        ),
        "clocked": Counter(
            t.astimezone(UTC)
            for t in ClockedSchedule.objects.values_list("clocked_time", flat=True)
        ),
    }
    return {"tasks": tasks, "schedules": schedules}


def _json(value: str | None) -> Any:
    try:
        return json.loads(value or "null")
    except ValueError:
        return ("not JSON", value)


def _schedule_value(task: PeriodicTask) -> tuple[Any, ...]:
    if task.interval_id:
        return ("interval", task.interval.every, task.interval.period)
    if task.crontab_id:
        c = task.crontab
        return (
            "crontab",
            c.minute,
            c.hour,
            c.day_of_month,
            c.month_of_year,
            c.day_of_week,
            str(c.timezone),
        )
    if task.solar_id:
        s = task.solar
        return ("solar", s.event, Decimal(s.latitude), Decimal(s.longitude))
    return ("clocked", task.clocked.clocked_time.astimezone(UTC))


def world(unowned: list[Unowned], keep: set[str], sequence: list[Spec]) -> dict[str, Any]:
    reset()
    make_unowned(unowned, keep)
    for spec in sequence:
        apply_spec(spec)
    return dump()


# --- the properties -------------------------------------------------------------------------


@SETTINGS
@given(spec=specs(), unowned=unowned_rows)
def test_apply_is_idempotent(spec, unowned):
    reset()
    make_unowned(unowned, {row.name for row in unowned})
    first = apply_spec(spec)
    assert first.plan.is_empty or first.written
    tasks = desired_tasks(spec)
    plan, _ = make_plan(tasks)
    assert plan.changes == (), [(c.action, c.name, c.fields) for c in plan.changes]
    assert plan.ledger_refresh == ()
    before = dump()
    with CaptureQueriesContext(connection) as queries:
        second = apply(tasks, force=True, allow_empty=True)
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)
    ]
    assert writes == []
    assert not second.written
    assert dump() == before


@SETTINGS
@given(history=histories(2, 2), unowned=unowned_rows)
def test_apply_is_path_independent(history, unowned):
    names = {row.name for row in unowned}
    a_then_b = world(unowned, names, history)
    b_alone = world(unowned, names - taken_over(names, history[:1]), history[1:])
    assert a_then_b == b_alone


@SETTINGS
@given(history=histories(2, 4), unowned=unowned_rows)
def test_any_sequence_of_applies_converges_to_the_last(history, unowned):
    names = {row.name for row in unowned}
    after_all = world(unowned, names, history)
    last_alone = world(unowned, names - taken_over(names, history[:-1]), history[-1:])
    assert after_all == last_alone


# --- once an exception to path independence (found by the properties above) --------------------


def test_enabling_a_one_off_task_that_its_own_file_had_disabled():
    """The ledger remembers that the syncer wrote `enabled: false`: enabling it again is a real
    change, not a row that beat disabled after its run."""
    reset()
    declared = {"task": "tasks.print_hello", "every": 60, "one_off": True}
    apply_spec(Spec({"t": {**declared, "enabled": False}}, {"a.yaml": ["t"]}))
    outcome = apply_spec(Spec({"t": {**declared, "enabled": True}}, {"a.yaml": ["t"]}))
    assert [(c.action, c.fields) for c in outcome.plan.changes] == [("update", ("enabled",))]
    assert PeriodicTask.objects.get(name="t").enabled


def test_enabling_an_expired_task_that_its_own_file_had_disabled():
    reset()
    declared = {"task": "tasks.print_hello", "every": 60, "expires": "2001-01-01T00:00:00Z"}
    apply_spec(Spec({"t": {**declared, "enabled": False}}, {"a.yaml": ["t"]}))
    outcome = apply_spec(Spec({"t": {**declared, "enabled": True}}, {"a.yaml": ["t"]}))
    assert [(c.action, c.fields) for c in outcome.plan.changes] == [("update", ("enabled",))]
    assert PeriodicTask.objects.get(name="t").enabled
