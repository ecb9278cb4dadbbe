"""Schedules that are valid but probably do not do what their author thinks: warnings with the
file position (errors with ``--strict``). Pure. Each kind has its own lints (``Kind.lints``):
the cron ones in ``syncer.core.kinds.crontab_lints``, a sub-second interval, a clocked time in
the past.
"""

from __future__ import annotations

from datetime import datetime

from syncer.core.desired import Desired
from syncer.core.errors import Problem
from syncer.core.kinds import kind_of


def lint(desired: Desired, now: datetime) -> list[Problem]:
    problems: list[Problem] = []
    for task in desired.tasks.values():
        key = task.state.schedule
        for field, message in kind_of(key).lints(key, now):
            where = task.location_of(field)
            if field == "timezone" and where == task.source:
                # the default time zone: point at the schedule key
                where = task.location_of(kind_of(key).spec_key)
            problems.append(
                Problem(where, message, task=task.state.name, field=field, severity="warning")
            )
    return sorted(problems)
