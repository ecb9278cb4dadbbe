"""The fire times beat will use, from the rows the syncer writes (django-celery-beat's ModelEntry
and the row's ``.schedule``), equal those of the equivalent Celery schedule built directly, over a
year of simulated time that includes both DST transitions of Europe/Berlin and America/New_York.

Also: a schedule change or a re-enable never causes an unplanned catch-up run.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from celery import Celery, schedules
from django.utils import timezone
from django_celery_beat.clockedschedule import clocked
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import ModelEntry

from syncer.core.kinds.crontab import CrontabKey
from syncer.db.firetimes import fire_times, run_times, schedule_object

pytestmark = pytest.mark.django_db

START = datetime(2026, 1, 1, tzinfo=UTC)
YEAR = START + timedelta(days=366)

CRONS = {
    # name: (cron fields minute hour dom month dow, timezone)
    "berlin-0230-daily": ("30", "2", "*", "*", "*", "Europe/Berlin"),  # in both DST windows
    "berlin-workdays": ("*/15", "9-17", "*", "*", "1-5", "Europe/Berlin"),
    "berlin-named": ("0", "3", "*", "jan-mar,oct-dec", "mon-fri", "Europe/Berlin"),
    "ny-0130-sundays": ("30", "1", "*", "*", "sun", "America/New_York"),
    "ny-hourly-steps": ("5", "*/3", "*", "*", "*", "America/New_York"),
    "utc-lists": ("0,30", "0,6,12,18", "1,15", "*", "*", "UTC"),
    "tokyo-monthly": ("0", "9", "1", "*", "*", "Asia/Tokyo"),
}
INTERVALS = {
    "every-90s": ("90s", timedelta(seconds=90)),
    "every-7m": ("7m", timedelta(minutes=7)),
    "every-5h": ("5h", timedelta(hours=5)),
    "every-2d": ("2d", timedelta(days=2)),
    "every-250ms": ("250ms", timedelta(milliseconds=250)),
}


def _yaml() -> str:
    lines = ["tasks:"]
    for name, (m, h, dom, mon, dow, tz) in CRONS.items():
        lines.append(
            f"  {name}: {{task: tasks.print_hello, cron: '{m} {h} {dom} {mon} {dow}', "
            f"timezone: {tz}}}"
        )
    for name, (every, _) in INTERVALS.items():
        lines.append(f"  {name}: {{task: tasks.print_hello, every: {every}}}")
    lines.append(
        "  sunset-berlin: {task: tasks.print_hello, solar: {event: sunset, latitude: 52.52, "
        "longitude: 13.405}}"
    )
    lines.append(
        "  dawn-sydney: {task: tasks.print_hello, solar: {event: dawn_civil, latitude: -33.8688, "
        "longitude: 151.2093}}"
    )
    lines.append("  once: {task: tasks.print_hello, clocked: '2026-06-01T12:00:00+02:00'}")
    return "\n".join(lines) + "\n"


def _app(tz: str) -> Celery:
    app = Celery(set_as_current=False)
    app.conf.timezone = tz
    return app


def _beat_schedule(name: str):
    """What beat runs: django-celery-beat's ModelEntry built from the stored row."""
    return ModelEntry(PeriodicTask.objects.get(name=name)).schedule


@pytest.fixture
def applied(apply_files):
    apply_files({"fidelity.yaml": _yaml()})


@pytest.mark.parametrize("name", sorted(CRONS))
def test_crontab_rows_fire_like_celery_crontab(applied, name):
    m, h, dom, mon, dow, tz = CRONS[name]
    direct = schedules.crontab(m, h, dow, dom, mon, app=_app(tz))
    expected = run_times(direct, START, None, YEAR)
    assert len(expected) > 10
    assert run_times(_beat_schedule(name), START, None, YEAR) == expected


def test_the_year_includes_both_dst_transitions_and_celery_handles_them():
    berlin = run_times(schedules.crontab("30", "2", app=_app("Europe/Berlin")), START, None, YEAR)
    local = {t.astimezone(ZoneInfo("Europe/Berlin")).date(): t for t in berlin}
    spring, autumn = datetime(2026, 3, 29).date(), datetime(2026, 10, 25).date()
    # 02:30 does not exist on 29 March: the run moves to 03:30 CEST; on 25 October it runs once.
    assert local[spring].astimezone(ZoneInfo("Europe/Berlin")).hour == 3
    assert sum(1 for t in berlin if t.astimezone(ZoneInfo("Europe/Berlin")).date() == autumn) == 1


@pytest.mark.parametrize("name", sorted(INTERVALS))
def test_interval_rows_fire_like_celery_schedule(applied, name):
    _, delta = INTERVALS[name]
    until = START + min(timedelta(days=366), delta * 2000)
    expected = run_times(schedules.schedule(delta), START, None, until)
    assert run_times(_beat_schedule(name), START, None, until) == expected


@pytest.mark.parametrize(
    ("name", "event", "lat", "lon"),
    [
        ("sunset-berlin", "sunset", "52.52", "13.405"),
        ("dawn-sydney", "dawn_civil", "-33.8688", "151.2093"),
    ],
)
def test_solar_rows_fire_like_celery_solar(applied, name, event, lat, lon):
    until = START + timedelta(days=366)
    direct = schedules.solar(event, Decimal(lat), Decimal(lon), app=_app("UTC"))
    expected = run_times(direct, START, None, until)
    assert len(expected) > 360
    actual = run_times(_beat_schedule(name), START, None, until)
    assert len(actual) == len(expected)
    # the stored coordinates are rounded to the column's 6 places: equal to the microsecond here
    assert all(abs(a - e) < timedelta(seconds=1) for a, e in zip(actual, expected, strict=True))


def test_clocked_row_fires_once_like_the_clocked_schedule(applied):
    when = datetime(2026, 6, 1, 10, tzinfo=UTC)
    assert run_times(clocked(when), START, None, YEAR, one_off=True) == [when]
    assert run_times(_beat_schedule("once"), START, None, YEAR, one_off=True) == [when]


def test_plan_previews_are_the_same_computation():
    key = CrontabKey("30", "2", "*", "*", "*", "Europe/Berlin")
    direct = run_times(schedules.crontab("30", "2", app=_app("Europe/Berlin")), START, 5)
    assert fire_times(key, START) == direct


# --- no surprise catch-up run -------------------------------------------------------------------


def _due_now(name: str) -> bool:
    entry = ModelEntry(PeriodicTask.objects.get(name=name))
    return bool(entry.is_due()[0])


def _cron(expr: str, enabled: bool = True) -> dict[str, str]:
    extra = "" if enabled else ", enabled: false"
    return {"a.yaml": f"tasks:\n  job: {{task: tasks.print_hello, cron: '{expr}'{extra}}}\n"}


def test_changing_a_crontab_does_not_run_the_task_at_once(apply_files):
    now = timezone.now()
    apply_files(_cron("0 * * * *"))
    # The task last ran 3 hours ago: with the new hour already passed today, a naive write would
    # make beat run it immediately (its first fire time after last_run_at is in the past).
    PeriodicTask.objects.filter(name="job").update(last_run_at=now - timedelta(hours=3))
    assert _due_now("job")  # what beat would do without the policy
    past_hour = (now - timedelta(hours=1)).astimezone(UTC).hour
    apply_files(_cron(f"{now.minute} {past_hour} * * *"))
    assert not _due_now("job")
    row = PeriodicTask.objects.get(name="job")
    next_run = run_times(row.schedule, row.last_run_at, 1)[0]
    assert next_run > now + timedelta(hours=20)  # tomorrow, not now


def test_changing_an_interval_counts_from_the_apply(apply_files):
    now = timezone.now()
    apply_files({"a.yaml": "tasks:\n  job: {task: tasks.print_hello, every: 1h}\n"})
    PeriodicTask.objects.filter(name="job").update(last_run_at=now - timedelta(minutes=50))
    apply_files({"a.yaml": "tasks:\n  job: {task: tasks.print_hello, every: 30m}\n"})
    assert not _due_now("job")
    row = PeriodicTask.objects.get(name="job")
    assert row.last_run_at >= now
    assert run_times(row.schedule, row.last_run_at, 1)[0] >= now + timedelta(minutes=30)


def test_re_enabling_does_not_catch_up(apply_files):
    apply_files(_cron("* * * * *", enabled=False))
    PeriodicTask.objects.filter(name="job").update(last_run_at=timezone.now() - timedelta(days=3))
    apply_files(_cron("* * * * *"))
    assert not _due_now("job")


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
def test_the_simulated_clock_crosses_a_dst_change_without_looping(zone):
    """The clock moves in UTC: local wall-clock arithmetic would walk into the gap and fire
    the same slot again and again (one run per microsecond)."""
    change = {"Europe/Berlin": datetime(2026, 3, 29, 1, tzinfo=UTC),
              "America/New_York": datetime(2026, 3, 8, 7, tzinfo=UTC)}[zone]  # fmt: skip
    key = CrontabKey("0", "*", "*", "*", "*", zone)
    runs = run_times(
        schedule_object(key), change - timedelta(hours=3), None, change + timedelta(hours=3)
    )
    assert len(runs) == 6 and len(set(runs)) == 6
    assert all(b - a == timedelta(hours=1) for a, b in itertools.pairwise(runs))
