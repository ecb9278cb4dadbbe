"""Stand-in for ``syncer apply`` in the e2e tests: ``python orm_declare.py FILE.yaml``.

Makes the PeriodicTask table hold exactly the tasks of one schedules/ file (interval schedules
only; ``task``, ``every``, ``args``, ``kwargs``, ``enabled``), in one transaction, with
``save()``/``delete()`` so that django-celery-beat's signals bump ``PeriodicTasks.last_update``.
"""

from __future__ import annotations

import json
import re
import sys

import django
import yaml

UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def main(path: str) -> None:
    django.setup()
    from django.db import transaction
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    with open(path, encoding="utf-8") as handle:
        tasks = (yaml.safe_load(handle) or {}).get("tasks") or {}
    with transaction.atomic():
        for name, spec in tasks.items():
            match = re.fullmatch(r"(\d+)([smhd])", str(spec["every"]))
            if not match:
                raise SystemExit(f"{name}: unsupported every: {spec['every']!r}")
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=int(match[1]), period=UNITS[match[2]]
            )
            PeriodicTask.objects.update_or_create(
                name=name,
                defaults={
                    "task": spec["task"],
                    "interval": interval,
                    "args": json.dumps(spec.get("args", [])),
                    "kwargs": json.dumps(spec.get("kwargs", {})),
                    "enabled": spec.get("enabled", True),
                    "description": spec.get("description", ""),
                },
            )
        for stale in PeriodicTask.objects.exclude(name__in=list(tasks)):
            stale.delete()


if __name__ == "__main__":
    main(sys.argv[1])
