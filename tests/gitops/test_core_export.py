"""``syncer.core.export`` without a database: spellings that the parser maps back to the same
(every, period), the round-trip check, and what is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from syncer.core.context import Context
from syncer.core.desired import build
from syncer.core.durations import (
    MAX_TOTAL_US,
    PERIOD_MICROSECONDS,
    DurationError,
    parse_duration,
    to_interval,
)
from syncer.core.export import Item, export
from syncer.core.kinds.clocked import ClockedKey
from syncer.core.kinds.crontab import CrontabKey
from syncer.core.kinds.interval import IntervalKey, spell_every
from syncer.core.kinds.solar import SolarKey
from syncer.core.load import SourceFile, load_text
from syncer.core.state import TaskState, canonical_json


def read_back(text: str, environ: dict[str, str] | None = None) -> dict[str, TaskState]:
    data = load_text("x.yaml", text.encode())
    desired = build([SourceFile("x.yaml", data)], Context(environ=environ or {}))
    assert desired.errors == []
    return {name: task.state for name, task in desired.tasks.items()}


@pytest.mark.parametrize(
    ("every", "period", "spelling"),
    [
        (3, "seconds", "3s"),
        (90, "seconds", "90s"),
        (90, "minutes", "90m"),
        (1, "hours", "1h"),
        (36, "hours", "36h"),
        (1, "days", "1d"),
        (7, "days", "1w"),
        (10, "days", "10d"),
        (250_000, "microseconds", "250ms"),
        (1_500_001, "microseconds", "1500001us"),
    ],
)
def test_shortest_exact_spelling(every, period, spelling):
    assert spell_every(every, period) == spelling
    assert to_interval(parse_duration(spelling)) == (every, period)


@given(st.integers(1, MAX_TOTAL_US // 1_000_000), st.sampled_from([1, 1_000, 1_000_000]))
def test_every_canonical_interval_comes_back_as_itself(count, unit):
    try:
        every, period = to_interval(count * unit)  # what the parser stores for some duration
    except DurationError:
        assume(False)  # no period holds it
    assert to_interval(parse_duration(spell_every(every, period))) == (every, period)


def test_a_non_canonical_interval_is_spelled_for_its_duration():
    # 60 seconds is 1 minute: the spelling parses to the same duration, stored as (1, minutes),
    # which is how syncer.db.actual reads such a row (tests/gitops/test_export.py).
    assert spell_every(60, "seconds") == "1m"
    assert parse_duration("1m") == 60 * PERIOD_MICROSECONDS["seconds"]


STATES = [
    TaskState(
        "all-fields",
        "tasks.write_to_file",
        IntervalKey(5, "minutes"),
        args=canonical_json([1, "$HOME", {"k": [True, None, 2.5]}]),
        kwargs=canonical_json({"path": "${NOT_EXPANDED}", "": "empty key", "true": False}),
        queue="q",
        exchange="e",
        routing_key="r",
        priority=9,
        headers=canonical_json({"h": "$$"}),
        expires=datetime(2030, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        start_time=datetime(2026, 1, 1, tzinfo=UTC),
        one_off=True,
        enabled=False,
        description="line 1\nline 2 with trailing spaces  \n\ttab",
    ),
    TaskState("123", "tasks.print_hello", CrontabKey("0", "3", "*", "*", "1-5", "Asia/Kolkata")),
    TaskState("null", "tasks.print_hello", SolarKey("solar_noon", "-33.868800", "151.209300")),
    TaskState(
        "- dash: colon #hash",
        "tasks.print_hello",
        ClockedKey(datetime(2031, 1, 1, tzinfo=UTC)),
        one_off=True,
    ),
]


def test_what_is_written_reads_back_identical_even_with_variables_set():
    result = export([Item(s) for s in STATES])
    assert result.problems == []
    environ = {"HOME": "/root", "NOT_EXPANDED": "oops"}
    assert read_back(result.text, environ) == {s.name: s for s in STATES}


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (
            TaskState("c", "t", ClockedKey(datetime(2031, 1, 1, tzinfo=UTC)), one_off=False),
            "a clocked schedule runs once: one_off cannot be false",
        ),
        (
            TaskState(
                "e",
                "t",
                IntervalKey(1, "days"),
                expires=datetime(2030, 1, 1, tzinfo=UTC),
                expire_seconds=5,
            ),
            "set expires or expire_seconds, not both",
        ),
        (
            TaskState("j", "t", IntervalKey(1, "days"), kwargs="<invalid JSON> {"),
            "the column holds invalid JSON: {",
        ),
        (
            TaskState("l", "t", IntervalKey(1, "days"), args='{"a": 1}'),
            "args: Input should be a valid list",
        ),
        (
            TaskState("p", "t", IntervalKey(1, "days"), priority=300),
            "priority: Input should be less than or equal to 255",
        ),
        (TaskState("n", "t", IntervalKey(0, "(no schedule)")), "the row has no schedule"),
        (
            TaskState("z", "", IntervalKey(1, "days")),
            "task: String should have at least 1 character",
        ),
        (
            TaskState("s", "t", SolarKey("sunset", "91.000000", "0.000000")),
            "solar.latitude: Input should be less than or equal to 90",
        ),
        (TaskState("x", "t", CrontabKey("*/100", "*", "*", "*", "*", "UTC")), "cron: minute:"),
        (
            TaskState("tz", "t", CrontabKey("0", "*", "*", "*", "*", "Mars/Olympus")),
            "unknown time zone 'Mars/Olympus'",
        ),
    ],
)
def test_what_cannot_be_written_exactly_is_a_problem_naming_the_task(state, message):
    fine = TaskState("fine", "t", IntervalKey(1, "hours"))
    result = export([Item(state), Item(fine)], source="database")
    assert result.names == ["fine"]
    assert [p.task for p in result.problems] == [state.name]
    assert any(message in str(p) for p in result.problems), [str(p) for p in result.problems]
    assert "fine:" in result.text and f"  {state.name}:" not in result.text
