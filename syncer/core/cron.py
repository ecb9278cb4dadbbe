"""Cron expressions: parse the text or mapping form, and check each field the way both
django-celery-beat (its model validators) and Celery (its crontab parser) will.

A field that Celery accepts but django-celery-beat refuses gets a suggestion of the spelling that
works (``monday`` -> ``mon``; ``0, 6`` -> ``0,6``). A cron that matches no calendar day at all
(``0 0 31 2 *``) is an error: beat would loop on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")

ALIASES: dict[str, str] = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}


def crontab(**fields: str) -> Any:
    """Celery's ``crontab``, imported at the first cron checked: Celery's import is a third of
    the start-up of a command that checks no cron (``validate``, the pre-commit hook)."""
    from celery.schedules import crontab as celery_crontab

    return celery_crontab(**fields)


@cache
def _dcb_validator(name: str) -> Callable[[str], None]:
    """django-celery-beat's validator of one field (imported at the first use, as above)."""
    from django_celery_beat import validators

    return cast("Callable[[str], None]", getattr(validators, f"{name}_validator"))


_DAY_NAMES = {
    name: name[:3]
    for name in ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
}
_MONTH_NAMES = {
    name: name[:3]
    for name in (
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    )
}
_MAX_DAY = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


@dataclass(frozen=True)
class CronFields:
    minute: str = "*"
    hour: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"
    day_of_week: str = "*"

    def expression(self) -> str:
        return " ".join(getattr(self, name) for name in FIELDS)


class CronError(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def parse_text(text: str) -> CronFields:
    stripped = text.strip()
    if stripped.startswith("@"):
        expanded = ALIASES.get(stripped.lower())
        if expanded is None:
            raise CronError(f"unknown alias {stripped!r} (known: {', '.join(ALIASES)})")
        stripped = expanded
    parts = stripped.split()
    if len(parts) != 5:
        hint = ""
        if re.search(r",\s+", stripped):
            joined = re.sub(r",\s+", ",", stripped)
            hint = f"; lists take no spaces: {joined!r}"
        raise CronError(
            "expected 5 fields (minute hour day-of-month month day-of-week), "
            f"got {len(parts)}{hint}"
        )
    return CronFields(*parts)


def from_mapping(mapping: dict[str, object]) -> CronFields:
    values = {}
    for name in FIELDS:
        value = mapping.get(name, "*")
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise CronError("expected a string or an integer", field=name)
        values[name] = str(value).strip()
    return CronFields(**values)


def check(fields: CronFields) -> list[CronError]:
    """Every problem of every field; an empty list means beat can run it."""
    errors = []
    for name in FIELDS:
        error = _check_field(name, getattr(fields, name))
        if error:
            errors.append(error)
    if errors:
        return errors
    # Each field alone is valid here. Days that no month has are checked before Celery sees the
    # whole expression: Celery 5.5 refuses some of them itself (in its own words), later versions
    # accept them and beat would loop; the message is the same whatever the version.
    days = crontab(day_of_month=fields.day_of_month).day_of_month
    months = crontab(month_of_year=fields.month_of_year).month_of_year
    if not any(day <= _MAX_DAY[month] for month in months for day in days):
        return [
            CronError(
                f"{fields.expression()!r} never fires: no month has such a day "
                "(django-celery-beat would loop on it)",
                field="day_of_month",
            )
        ]
    try:
        crontab(**{name: getattr(fields, name) for name in FIELDS})
    except (ValueError, TypeError) as exc:
        return [CronError(f"rejected by Celery: {exc}")]
    return []


# CrontabSchedule's column lengths: a longer field passes both parsers, then PostgreSQL refuses
# the row in the middle of an apply (and SQLite stores it regardless).
MAX_LENGTH = {
    "minute": 240,
    "hour": 96,
    "day_of_month": 124,
    "month_of_year": 64,
    "day_of_week": 64,
}


def _check_field(name: str, value: str) -> CronError | None:
    if not value:
        return CronError("must not be empty (use '*' for every value)", field=name)
    if len(value) > MAX_LENGTH[name]:
        return CronError(
            f"{len(value)} characters, more than the {MAX_LENGTH[name]} django-celery-beat stores "
            "(use ranges such as 1-5 or steps such as */2)",
            field=name,
        )
    try:
        crontab(**{name: value})
    except (ValueError, TypeError) as exc:
        return CronError(f"{value!r} is not valid: {exc}", field=name)
    try:
        _dcb_validator(name)(value)
    except Exception as exc:  # django.core.exceptions.ValidationError
        suggestion = suggest(name, value)
        hint = f"; write {suggestion!r} instead" if suggestion and suggestion != value else ""
        reason = "no spaces inside a field" if re.search(r"\s", value) else _message(exc)
        return CronError(
            f"{value!r} is accepted by Celery but not by django-celery-beat ({reason}){hint}",
            field=name,
        )
    return None


def suggest(name: str, value: str) -> str | None:
    """The spelling django-celery-beat accepts for a value Celery accepts, if there is one."""
    fixed = re.sub(r"\s+", "", value)
    names = _DAY_NAMES if name == "day_of_week" else _MONTH_NAMES if name == "month_of_year" else {}
    if names:
        fixed = re.sub(
            r"[a-zA-Z]+", lambda m: names.get(m.group(0).lower(), m.group(0).lower()), fixed
        )
    return fixed if fixed != value else None


def _message(exc: Exception) -> str:
    messages = getattr(exc, "messages", None) or [str(exc)]
    text = "; ".join(str(m) for m in messages)
    if len(text) > 1 and text[0] == text[-1] == '"':
        text = text[1:-1]
    return text
