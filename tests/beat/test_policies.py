"""The run policies, enforced by the scheduler on the real database: each skip is claimed with
its reason (so no other beat runs that slot), logged with the task, the slot and the reason, and
counted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from syncer.beat.runs import HEADER, run_finished, run_started
from syncer.db import claims
from syncer.models import RunPolicy, SlotClaim
from tests.beat.conftest import run_until_idle
from tests.beat.test_scheduler import ran_ago, sent_names, tasks_yaml

pytestmark = pytest.mark.django_db


def test_policies_are_stored_beside_the_row_and_read_back(apply_files):
    apply_files(tasks_yaml(job="every: 1h, starting_deadline: 30s, overlap: skip, jitter: 1m"))
    row = RunPolicy.objects.get(task__name="job")
    assert (row.starting_deadline_us, row.overlap, row.jitter_us) == (
        30_000_000,
        "skip",
        60_000_000,
    )
    outcome = apply_files(tasks_yaml(job="every: 1h, starting_deadline: 1m"))
    change = outcome.plan.changes[0]
    assert change.fields == ("starting_deadline", "overlap", "jitter")
    apply_files(tasks_yaml(job="every: 1h"))
    assert not RunPolicy.objects.filter(task__name="job").exists()


def test_a_slot_later_than_its_starting_deadline_is_skipped(apply_files, make_scheduler, caplog):
    apply_files(tasks_yaml(strict="every: 1h, starting_deadline: 5m", lax="every: 1h"))
    ran_ago("strict", timedelta(hours=1, minutes=20))
    ran_ago("lax", timedelta(hours=1, minutes=20))
    scheduler = make_scheduler()
    run_until_idle(scheduler)
    assert sent_names(scheduler) == ["lax"]
    skipped = SlotClaim.objects.get(name="strict")
    assert skipped.outcome == "skipped:starting_deadline"
    assert "skipped strict slot" in caplog.text and "starting_deadline" in caplog.text
    assert scheduler.skips[("strict", "starting_deadline")] == 1
    # the next slot is an hour after the skipped one: not run again now
    run_until_idle(scheduler)
    assert sent_names(scheduler) == ["lax"]


def test_a_late_slot_within_its_deadline_runs(apply_files, make_scheduler):
    apply_files(tasks_yaml(job="every: 1h, starting_deadline: 30m"))
    ran_ago("job", timedelta(hours=1, minutes=20))
    scheduler = make_scheduler()
    run_until_idle(scheduler)
    assert sent_names(scheduler) == ["job"]


def test_after_downtime_the_latest_missed_slot_within_the_deadline_runs(
    apply_files, make_scheduler
):
    apply_files(tasks_yaml(job="every: 10m, starting_deadline: 5m"))
    ran_ago("job", timedelta(hours=3, minutes=2))  # 18 slots missed, the last one 2 min ago
    scheduler = make_scheduler()
    run_until_idle(scheduler)
    assert sent_names(scheduler) == ["job"]
    assert SlotClaim.objects.filter(name="job").count() == 1


def test_overlap_skip_waits_for_the_previous_run_to_finish(apply_files, make_scheduler, caplog):
    apply_files(tasks_yaml(job="every: 1h, overlap: skip"))
    ran_ago("job", timedelta(hours=1, minutes=1))
    scheduler = make_scheduler()
    run_until_idle(scheduler)
    first = scheduler.sent[-1]
    claim_id = first.options["headers"][HEADER]
    task = _FakeTask(claim_id)
    run_started(task=task)
    # the next slot comes while the run is still going: skipped
    rewind(scheduler, "job", timedelta(hours=1, minutes=1))
    run_until_idle(scheduler)
    assert sent_names(scheduler) == ["job"]
    assert "skipped job slot" in caplog.text and "overlap" in caplog.text
    # once the run has finished, the next slot runs
    run_finished(task=task, state="SUCCESS")
    rewind(scheduler, "job", timedelta(hours=1, minutes=1))
    run_until_idle(scheduler)
    assert sent_names(scheduler) == ["job", "job"]


def test_a_run_that_never_reports_its_end_stops_blocking_after_the_bound(apply_files):
    claim_id = claims.claim("job", timezone.now(), "x", claims.SENT, tracked=True)
    assert claims.previous_running("job", bound=3600)
    SlotClaim.objects.filter(pk=claim_id).update(claimed_at=timezone.now() - timedelta(hours=2))
    assert not claims.previous_running("job", bound=3600)


def test_runs_sent_without_tracking_never_block(apply_files):
    claims.claim("job", timezone.now(), "x", claims.SENT)  # sent while `overlap: allow`
    assert not claims.previous_running("job", bound=3600)


def test_only_overlap_skip_tasks_carry_the_claim_header(apply_files, make_scheduler):
    apply_files(tasks_yaml(plain="every: 1h"))
    ran_ago("plain", timedelta(hours=2))
    scheduler = make_scheduler()
    run_until_idle(scheduler)
    assert HEADER not in scheduler.sent[-1].options["headers"]


def test_jitter_delays_each_run_by_the_tasks_stable_offset(apply_files, make_scheduler):
    apply_files(tasks_yaml(spread="every: 1h, jitter: 1h"))
    scheduler = make_scheduler()
    entry = scheduler.schedule["spread"]
    offset = entry.offset
    assert timedelta(0) < offset < timedelta(hours=1)
    # the slot came a moment ago, but its offset has not passed: nothing is sent yet
    run_until_idle(scheduler)
    rewind(scheduler, "spread", timedelta(hours=1, seconds=1))
    run_until_idle(scheduler)
    assert sent_names(scheduler) == []
    # once the slot plus the offset has passed, it runs, and the claim is the slot itself
    rewind(scheduler, "spread", timedelta(hours=1) + offset + timedelta(seconds=1))
    run_until_idle(scheduler)
    assert sent_names(scheduler) == ["spread"]
    slot = SlotClaim.objects.get(name="spread").slot
    assert abs((timezone.now() - slot) - offset) < timedelta(seconds=5)


def rewind(scheduler, name: str, ago: timedelta) -> None:
    """Time passes: the entry last ran ``ago`` (in beat's memory, as after that much time)."""
    entry = scheduler.schedule[name]
    entry.last_run_at = entry.model.last_run_at = timezone.now() - ago
    entry.generation += 1_000_000
    scheduler._push(entry)


class _FakeTask:
    def __init__(self, claim_id: int) -> None:
        self.request = type("Request", (), {HEADER: claim_id, "headers": None})()
