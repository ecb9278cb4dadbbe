"""``cron: "0 3 * * mon-fri"`` (or an @alias, or a mapping of fields) in ``timezone``: stored as
``CrontabSchedule``. Each field is checked by the rules of both django-celery-beat and Celery
(``syncer.core.cron``); the lints are in ``syncer.core.kinds.crontab_lints``."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, timedelta, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

from syncer.core import cron
from syncer.core.context import Context
from syncer.core.kinds.base import Kind, Report, Unrepresentable
from syncer.core.kinds.crontab_lints import lints
from syncer.core.yaml_style import Flow, Quoted

if TYPE_CHECKING:
    from celery.schedules import crontab


@dataclass(frozen=True, slots=True)
class CrontabKey:
    kind: ClassVar[str] = "crontab"
    minute: str
    hour: str
    day_of_month: str
    month_of_year: str
    day_of_week: str
    timezone: str

    def expression(self) -> str:
        return (
            f"{self.minute} {self.hour} {self.day_of_month} {self.month_of_year} {self.day_of_week}"
        )

    def describe(self) -> str:
        return f"cron {self.expression()!r} {self.timezone}"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "minute": self.minute,
            "hour": self.hour,
            "day_of_month": self.day_of_month,
            "month_of_year": self.month_of_year,
            "day_of_week": self.day_of_week,
            "timezone": self.timezone,
        }

    def zone(self) -> str | None:
        return self.timezone

    def fixed_period(self) -> timedelta | None:
        return None


@lru_cache(maxsize=1024)
def valid_timezone(name: str) -> bool:
    """An IANA name zoneinfo knows (the rule for files and the API alike)."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def unknown_timezone(name: str) -> str:
    return f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin)"


@lru_cache(maxsize=4096)
def _cron_errors(fields: cron.CronFields) -> tuple[cron.CronError, ...]:
    """``cron.check`` once per distinct expression: thousands of tasks share a few dozen, and each
    check builds six Celery crontab objects and runs five validators (~0.5 ms)."""
    return tuple(cron.check(fields))


def to_key(spec: Any, context: Context, report: Report) -> CrontabKey | None:
    try:
        if isinstance(spec.cron, str):
            fields = cron.parse_text(spec.cron)
        else:
            fields = cron.from_mapping(spec.cron.model_dump())
    except cron.CronError as exc:
        report("cron", str(exc), exc.field)
        return None
    errors = _cron_errors(fields)
    for error in errors:
        sub = error.field if not isinstance(spec.cron, str) else None
        prefix = f"{error.field}: " if error.field and sub is None else ""
        report("cron", prefix + str(error), sub)
    tz = spec.timezone or context.default_timezone
    if not valid_timezone(tz):
        report("timezone", unknown_timezone(tz), None)
        return None
    if errors:
        return None
    return CrontabKey(
        fields.minute,
        fields.hour,
        fields.day_of_month,
        fields.month_of_year,
        fields.day_of_week,
        tz,
    )


def to_file(key: CrontabKey) -> dict[str, Any]:
    values = [getattr(key, name) for name in cron.FIELDS]
    if all(value and value.split() == [value] for value in values):
        spelled: Any = Quoted(key.expression())
    else:  # a field with a space: the mapping form, so that the error names the field
        spelled = Flow(zip(cron.FIELDS, values, strict=True))
    return {"cron": spelled, "timezone": key.timezone}


_TZ_CRONTAB = ("django_celery_beat.tzcrontab", "TzAwareCrontab")


def from_beat(value: Any, default_timezone: str) -> tuple[CrontabKey, bool] | None:
    """Celery's ``crontab`` (in the zone of the app running beat: the default), or
    django-celery-beat's ``TzAwareCrontab`` (in its own)."""
    from celery.schedules import crontab

    if type(value) is not crontab and not _is_tz_crontab(value):
        return None
    fields = _spelling(value)
    zone, used_default = _timezone_of(value, default_timezone)
    return CrontabKey(
        fields.minute,
        fields.hour,
        fields.day_of_month,
        fields.month_of_year,
        fields.day_of_week,
        zone,
    ), used_default


def _is_tz_crontab(value: Any) -> bool:
    return (type(value).__module__, type(value).__qualname__) == _TZ_CRONTAB


def _spelling(value: crontab) -> cron.CronFields:
    fields = cron.CronFields(
        **{name: _cron_field(getattr(value, f"_orig_{name}"), name) for name in cron.FIELDS}
    )
    errors = cron.check(fields)
    if errors:
        # Celery and django-celery-beat disagree on a few spellings (monday -> mon): use the one
        # both accept, when there is one.
        fixed = cron.CronFields(
            **{
                name: cron.suggest(name, getattr(fields, name)) or getattr(fields, name)
                for name in cron.FIELDS
            }
        )
        if cron.check(fixed):
            detail = "; ".join(f"{e.field}: {e}" if e.field else str(e) for e in errors)
            raise Unrepresentable("schedule", f"crontab {fields.expression()!r}: {detail}")
        fields = fixed
    if any(
        getattr(cron.crontab(**{n: getattr(fields, n) for n in cron.FIELDS}), name)
        != getattr(value, name)
        for name in cron.FIELDS
    ):  # the spelling means other fire times than the original: list them instead
        fields = cron.CronFields(
            **{name: ",".join(str(v) for v in sorted(getattr(value, name))) for name in cron.FIELDS}
        )
    return fields


def _cron_field(spec: Any, name: str) -> str:
    if isinstance(spec, str):
        return spec.strip()
    if isinstance(spec, int) and not isinstance(spec, bool):
        return str(spec)
    if isinstance(spec, set | frozenset | list | tuple | range) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in spec
    ):
        return ",".join(str(v) for v in sorted(set(spec)))
    raise Unrepresentable("schedule", f"crontab {name}={spec!r} cannot be written as a cron field")


def _timezone_of(value: crontab, default: str) -> tuple[str, bool]:
    # Not ``crontab(app=...)``'s app: beat's ScheduleEntry replaces it with the app running beat
    # (``maybe_schedule(schedule, app=...)``), so a plain crontab runs in that app's zone.
    if not _is_tz_crontab(value):
        return default, True
    zone: tzinfo = value.__dict__["tz"]
    return timezone_name(zone), False


def timezone_name(zone: Any) -> str:
    """The IANA name of a tzinfo (zoneinfo, pytz, or UTC); raise Unrepresentable otherwise."""
    if zone is UTC:
        return "UTC"
    for attribute in ("key", "zone"):  # zoneinfo, pytz
        name = getattr(zone, attribute, None)
        if isinstance(name, str) and name:
            return name
    raise Unrepresentable(
        "schedule", f"time zone {zone!r} has no IANA name (pass --timezone Europe/Berlin, ...)"
    )


KIND = Kind(
    name="crontab",
    spec_key="cron",
    key_type=CrontabKey,
    spec_type="Cron",
    hint="a string such as '0 3 * * mon-fri' or a mapping of cron fields",
    to_key=to_key,
    to_file=to_file,
    from_beat=from_beat,
    lints=lints,
    uses_timezone=True,
    nested_keys=cron.FIELDS,
    nested_hint="a cron field such as '*/15', '1-5', 'mon,fri', or an integer",
)
