"""Property: any rows made through the ORM (all four kinds, any optional fields, any text) export
to a file that plans no field change against them: every row is adopted as it is."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncer.core.context import Context
from syncer.core.desired import build
from syncer.core.diff import compute
from syncer.core.escape import find_hidden
from syncer.core.export import Item, export
from syncer.core.kinds.clocked import ClockedKey
from syncer.core.kinds.crontab import CrontabKey
from syncer.core.kinds.interval import IntervalKey
from syncer.core.kinds.solar import SolarKey
from syncer.core.load import SourceFile, load_text
from syncer.core.state import TaskState
from syncer.db.actual import read_snapshot
from tests.gitops.rows import make_row

# Any text a column can hold (PostgreSQL refuses NUL; lone surrogates are not text).
TEXT = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
DATETIMES = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(TEXT, max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(TEXT, max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)

INTERVALS = st.builds(
    IntervalKey,
    st.integers(1, 100_000),
    st.sampled_from(["days", "hours", "minutes", "seconds", "microseconds"]),
)
CRONTABS = st.builds(
    CrontabKey,
    st.sampled_from(["*", "0", "*/15", "0,30", "5-10", "59"]),
    st.sampled_from(["*", "3", "9-17", "*/2", "0,12"]),
    st.sampled_from(["*", "1", "1-15", "*/10", "28"]),
    st.sampled_from(["*", "1", "6-8", "*/3", "1,7"]),
    st.sampled_from(["*", "1", "mon-fri", "0,6", "*/2", "sun"]),
    st.sampled_from(
        ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]
    ),
)
SOLARS = st.builds(
    SolarKey,
    st.sampled_from(["sunrise", "sunset", "dawn_civil", "dusk_nautical", "solar_noon"]),
    st.decimals(-90, 90, places=6).map(lambda d: f"{d:.6f}"),
    st.decimals(-180, 180, places=6).map(lambda d: f"{d:.6f}"),
)
CLOCKEDS = st.builds(ClockedKey, DATETIMES)
# A name with a control, bidirectional or invisible character is refused by the files, so export
# reports it (tests/corpus/test_hostile_strings.py); every other field takes any text.
NAME = st.text(TEXT.filter(lambda c: find_hidden(c) is None), min_size=1, max_size=200)
SHORT = st.none() | st.text(TEXT, min_size=1, max_size=200)


@st.composite
def task_states(draw: st.DrawFn) -> TaskState:
    schedule = draw(st.one_of(INTERVALS, CRONTABS, SOLARS, CLOCKEDS))
    expiry = draw(st.sampled_from(["none", "expires", "seconds"]))
    return TaskState(
        name=draw(NAME),
        task=draw(st.sampled_from(["tasks.print_hello", "tasks.write_to_file"])),
        schedule=schedule,
        args=json.dumps(draw(st.lists(JSON, max_size=3))),
        kwargs=json.dumps(draw(st.dictionaries(st.text(TEXT, max_size=8), JSON, max_size=3))),
        queue=draw(SHORT),
        exchange=draw(SHORT),
        routing_key=draw(SHORT),
        priority=draw(st.none() | st.integers(0, 255)),
        headers=json.dumps(draw(st.dictionaries(st.text(TEXT, max_size=8), JSON, max_size=2))),
        expires=draw(DATETIMES) if expiry == "expires" else None,
        expire_seconds=draw(st.integers(0, 2**31 - 1)) if expiry == "seconds" else None,
        start_time=draw(st.none() | DATETIMES),
        one_off=schedule.kind == "clocked" or draw(st.booleans()),
        enabled=draw(st.booleans()),
        description=draw(st.text(TEXT, max_size=100)),
    )


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(task_states(), min_size=1, max_size=5, unique_by=lambda s: s.name))
def test_any_rows_export_to_a_file_that_adopts_them_unchanged(states):
    with transaction.atomic():
        for state in states:
            make_row(state)
        snapshot = read_snapshot()
        result = export([Item(state) for state in snapshot.states.values()], source="database")
        assert result.problems == [], [str(p) for p in result.problems]
        data = load_text("exported.yaml", result.text.encode())
        desired = build([SourceFile("exported.yaml", data)], Context(environ={"HOME": "/x"}))
        assert desired.errors == [], [str(p) for p in desired.errors]
        plan = compute(desired.tasks, snapshot.states, snapshot.ledger, timezone.now())
        assert sorted(c.name for c in plan.changes) == sorted(s.name for s in states)
        assert all(c.action == "adopt" and c.fields == () for c in plan.changes), [
            (c.name, c.fields) for c in plan.changes
        ]
        transaction.set_rollback(True)
