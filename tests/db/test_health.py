"""Run health of real rows: slots from beat's own schedule objects after each row's last run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django_celery_beat.models import PeriodicTask

from syncer.db.health import read_health
from syncer.models import SlotClaim

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 7, 30, tzinfo=UTC)
FILES = """\
tasks:
  fresh: {task: tasks.print_hello, every: 10m}
  behind: {task: tasks.print_hello, every: 10m, queue: reports}
  gone: {task: tasks.print_hello, every: 10m}
  patient: {task: tasks.print_hello, every: 10m, grace: 5m}
  quarter: {task: tasks.print_hello, cron: "*/15 * * * *", timezone: Europe/Berlin}
  quarter-late: {task: tasks.print_hello, cron: "*/15 * * * *", timezone: Europe/Berlin}
  newborn: {task: tasks.print_hello, every: 1m}
  claimed: {task: tasks.print_hello, every: 10m}
  off: {task: tasks.print_hello, every: 1m, enabled: false}
"""
LAST_RUN = {
    "fresh": NOW - timedelta(minutes=5),
    "behind": NOW - timedelta(minutes=15),  # due 5 min ago: past 1 min grace + 3 min sync lag
    "gone": NOW - timedelta(minutes=25),  # due 15 and 5 min ago: one run lost
    "patient": NOW - timedelta(minutes=15),  # due 5 min ago, grace 5 min (+ 3 min lag)
    "quarter": datetime(2026, 12, 1, 12, 0, tzinfo=UTC),  # the 12:00 slot ran
    "quarter-late": datetime(2026, 12, 1, 11, 45, tzinfo=UTC),  # 12:00 due 7.5 min ago
}


def test_each_task_is_judged_from_its_own_last_run(apply_files):
    apply_files({"a.yaml": FILES.replace("off:", '"off":')})
    for name, last in LAST_RUN.items():
        PeriodicTask.objects.filter(name=name).update(last_run_at=last, total_run_count=3)
    PeriodicTask.objects.filter(name="newborn").update(
        last_run_at=None, total_run_count=0, date_changed=NOW - timedelta(minutes=5)
    )
    # The companion scheduler's claim is fresher than last_run_at, and needs no sync lag.
    PeriodicTask.objects.filter(name="claimed").update(last_run_at=NOW - timedelta(hours=1))
    SlotClaim.objects.create(
        name="claimed", slot=NOW - timedelta(minutes=12), holder="b", claimed_at=NOW, outcome="sent"
    )
    healths = {h.name: h for h in read_health(NOW)}
    assert {name: h.state for name, h in healths.items()} == {
        "fresh": "ok",
        "behind": "late",
        "gone": "missed",
        "patient": "ok",
        "quarter": "ok",
        "quarter-late": "late",
        "newborn": "never-ran",
        "claimed": "late",
        "off": "disabled",
    }
    behind = healths["behind"]
    assert behind.late_seconds == 300 and behind.queue == "reports"
    assert behind.expected_last_run == NOW - timedelta(minutes=5)
    assert behind.next_run == NOW + timedelta(minutes=5)
    assert healths["gone"].expected_last_run == NOW - timedelta(minutes=5)
    late = healths["quarter-late"]
    assert late.expected_last_run == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert late.next_run == datetime(2026, 12, 1, 12, 15, tzinfo=UTC)
    assert late.late_seconds == 450
    assert [h.name for h in read_health(NOW, names={"gone", "nope"})] == ["gone"]
