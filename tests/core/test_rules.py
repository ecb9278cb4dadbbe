"""The task rules that every shell calls (spec, API, single-task writes, beat_schedule import)."""

from datetime import UTC, datetime
from decimal import Decimal

from syncer.core import rules
from syncer.core.kinds import KINDS
from syncer.core.kinds.clocked import ClockedKey
from syncer.core.kinds.interval import IntervalKey
from syncer.core.kinds.solar import six_places
from syncer.core.state import TaskState

WHEN = datetime(2030, 1, 1, tzinfo=UTC)


def test_expires_and_expire_seconds_are_exclusive():
    assert rules.expiry_conflict(WHEN, 60) == "set expires or expire_seconds, not both"
    assert rules.expiry_conflict(WHEN, None) is None
    assert rules.expiry_conflict(None, 0) is None


def test_a_kind_that_runs_once_cannot_be_declared_not_one_off():
    clocked, interval = KINDS["clocked"], KINDS["interval"]
    message = "a clocked schedule runs once: one_off cannot be false"
    assert rules.runs_once_conflict(clocked, False) == message
    assert rules.runs_once_conflict(clocked, None) is None
    assert rules.runs_once_conflict(interval, False) is None


def test_timezone_belongs_to_the_kinds_that_have_one():
    assert rules.timezone_misplaced(KINDS["crontab"]) is None
    for name in ("interval", "solar", "clocked"):
        assert rules.timezone_misplaced(KINDS[name]) == "timezone applies to cron schedules only"


def test_state_problems_name_their_field():
    state = TaskState("t", "x", ClockedKey(WHEN), expires=WHEN, expire_seconds=1, one_off=False)
    assert rules.state_problems(state, KINDS["clocked"]) == [
        ("expire_seconds", "set expires or expire_seconds, not both"),
        ("one_off", "a clocked schedule runs once: one_off cannot be false"),
    ]
    assert (
        rules.state_problems(TaskState("t", "x", IntervalKey(1, "seconds")), KINDS["interval"])
        == []
    )


def test_solar_coordinates_round_once_for_files_rows_and_beat_schedule():
    assert six_places(Decimal("52.5200004")) == "52.520000"
    assert six_places(-0.0) == "0.000000"  # -0 is stored as 0: compare as the row reads back
    assert six_places(Decimal("-0.0000001")) == "0.000000"
    assert six_places(Decimal("13.4050005")) == "13.405000"  # half to even, as the column


def test_a_name_with_a_hidden_character_is_refused_with_its_position_and_code_point():
    assert rules.name_problem("innocent\n  - delete production-billing") == (
        "task name contains U+000A (LINE FEED) at character 9"
    )
    assert rules.name_problem("old\u202ename", "previous name") == (
        "previous name contains U+202E (RIGHT-TO-LEFT OVERRIDE) at character 4"
    )
    assert (
        rules.name_problem("\x80") == "task name contains U+0080 (PADDING CHARACTER) at character 1"
    )
    assert rules.name_problem("a\u2065") == "task name contains U+2065 at character 2"  # unassigned
    for fine in ("print-hello", "nightly report", "Bericht für das Team", "東京タワー", "a\\nb"):
        assert rules.name_problem(fine) is None
    state = TaskState("a\u200bb", "tasks.print_hello", IntervalKey(1, "hours"))
    assert rules.state_problems(state, KINDS["interval"]) == [
        ("name", "task name contains U+200B (ZERO WIDTH SPACE) at character 2")
    ]
