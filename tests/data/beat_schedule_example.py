"""A Celery ``beat_schedule`` as projects write it in their settings, for
``syncer import-beat-schedule tests.data.beat_schedule_example`` (tests/gitops/test_import_beat.py).

Every schedule spelling Celery accepts and a django-celery-beat row can hold: seconds as int and
float, ``timedelta``, ``schedule``, ``crontab`` (strings, ints, sets, ranges, day names Celery
accepts but django-celery-beat does not, another app's crontab, django-celery-beat's
``TzAwareCrontab``), ``solar`` and ``clocked``; with args, kwargs and every option a row stores.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from celery import Celery
from celery.schedules import crontab, schedule, solar
from django_celery_beat.clockedschedule import clocked
from django_celery_beat.tzcrontab import TzAwareCrontab

# Beat replaces a crontab's app with the app running beat: this crontab runs in beat's zone.
berlin = Celery("beat-schedule-example", set_as_current=False)
berlin.conf.timezone = "Europe/Berlin"

beat_schedule = {
    "hello-every-30s": {
        "task": "tasks.print_hello",
        "schedule": 30,
    },
    "hello-every-half-second": {
        "task": "tasks.print_hello",
        "schedule": 0.5,
    },
    "write-every-90s": {
        "task": "tasks.write_to_file",
        "schedule": timedelta(seconds=90),
        "kwargs": {"text": "ninety seconds", "path": None},
    },
    "write-hourly": {
        "task": "tasks.write_to_file",
        "schedule": timedelta(hours=1),
        "args": ("var/hourly.txt", "hourly"),
        "options": {"queue": "reports", "priority": 7},
    },
    "hello-every-5m-schedule": {
        "task": "tasks.print_hello",
        "schedule": schedule(run_every=timedelta(minutes=5)),
        "options": {
            "exchange": "periodic",
            "routing_key": "periodic.hello",
            "headers": {"origin": "beat", "tries": [1, 2.5, None, True]},
            "expires": 120,
        },
    },
    "cron-every-3-hours": {
        "task": "tasks.print_hello",
        "schedule": crontab(minute=0, hour="*/3"),
    },
    "cron-weekday-names": {
        "task": "tasks.print_hello",
        "schedule": crontab(minute="30", hour=7, day_of_week="monday-friday"),
        "options": {"expires": datetime(2031, 6, 1, 12, 0, tzinfo=UTC)},
    },
    "cron-sets-and-ranges": {
        "task": "tasks.print_hello",
        "schedule": crontab(minute={0, 30}, hour=range(8, 18, 2), day_of_month="1-15"),
    },
    "cron-other-app": {
        "task": "tasks.print_hello",
        "schedule": crontab(minute=45, hour="*/6", app=berlin),
    },
    "cron-berlin": {
        "task": "tasks.write_to_file",
        "schedule": TzAwareCrontab(minute=0, hour=2, tz=ZoneInfo("Europe/Berlin")),  # DST gap
        "kwargs": {"text": "Berlin, 2 o'clock"},
    },
    "cron-new-york": {
        "task": "tasks.print_hello",
        "schedule": TzAwareCrontab(minute=15, hour="6,18", tz=ZoneInfo("America/New_York")),
        "options": {"expires": 3600.0},
    },
    "solar-sunset-berlin": {
        "task": "tasks.print_hello",
        "schedule": solar("sunset", 52.52, 13.405),
        "args": ["sunset"],
    },
    "clocked-new-year": {
        "task": "tasks.print_hello",
        "schedule": clocked(datetime(2031, 1, 1, 0, 0, tzinfo=ZoneInfo("Europe/Berlin"))),
    },
}
