"""Task names that differ only in case: distinct on PostgreSQL and SQLite, one name on MySQL and
MariaDB (case-insensitive collations), where declaring both is a user error that changes nothing,
and a change of case applies on every vendor."""

from __future__ import annotations

from pathlib import Path

import pytest
from django_celery_beat.models import PeriodicTask

from syncer.db.apply import apply
from syncer.db.names import NameClash
from tests.helpers import desired_from

pytestmark = pytest.mark.django_db

BOTH = "tasks:\n  Report: {task: tasks.print_hello, every: 1m}\n  report: {task: tasks.print_hello, every: 2m}\n"
LOWER = "tasks:\n  report: {task: tasks.print_hello, every: 1m}\n"
UPPER = "tasks:\n  Report: {task: tasks.print_hello, every: 1m}\n"
# vendor -> does the database tell 'Report' from 'report'
CASE_SENSITIVE = {"postgresql": True, "sqlite": True, "mysql": False}


def run(tmp_path: Path, text: str):
    desired = desired_from(tmp_path / "schedules", {"s.yaml": text})
    assert desired.errors == []
    return apply(desired.tasks, force=True, allow_empty=True)


def names() -> list[str]:
    return sorted(PeriodicTask.objects.values_list("name", flat=True))


def test_names_that_differ_only_in_case(tmp_path, vendor):
    run(tmp_path, LOWER)
    if CASE_SENSITIVE[vendor]:
        run(tmp_path, BOTH)
        assert names() == ["Report", "report"]
        return
    with pytest.raises(NameClash, match=r"'Report'.*case-insensitive.*nothing was changed"):
        run(tmp_path, BOTH)
    assert names() == ["report"]  # the transaction rolled back


def test_a_change_of_case_applies(tmp_path, vendor):
    run(tmp_path, LOWER)
    outcome = run(tmp_path, UPPER)
    assert outcome.written and names() == ["Report"]
    assert PeriodicTask.objects.get(name="Report").managed_by_syncer.source_path.endswith("s.yaml")
