"""Pause and resume declared tasks (``syncer.core.pauses``): the writes behind ``syncer pause`` /
``syncer resume``, the REST API and the admin's actions.

Each call is one transaction under the apply lock, so it serialises with ``apply`` and the
daemon; a row that changes is written with the same next-run policy as an apply's (a resumed task
counts its next run from now: no catch-up burst), and beat is notified once, with the change log
(``syncer.db.changelog``) naming the rows. Every pause, change of a pause, resume, expiry and
deletion of a paused task is logged in ``PauseEvent``, with who and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from syncer.core.pauses import BY_MAX, Pause, PauseError, check_reason
from syncer.core.scopes import DEFAULT_SCOPE
from syncer.core.words import plural
from syncer.db import changelog
from syncer.db.lock import locked_transaction
from syncer.db.writes import notify_beat
from syncer.models import ManagedTask, PauseEvent
from syncer.models import Pause as PauseRow

PAUSE, RESUME, EXPIRE, DELETE = "pause", "resume", "expire", "delete"


@dataclass(frozen=True)
class Done:
    """What a pause or resume did to one task."""

    name: str
    action: str  # "paused", "pause updated", "resumed"
    disabled: bool = False  # the row was enabled and is now disabled (pause)
    enabled: bool = False  # the row is enabled again (resume)


def pause(names: Sequence[str], *, reason: str, by: str, until: datetime | None) -> list[Done]:
    """Pause the declared tasks ``names``: all of them, or none (an unknown or undeclared name is
    a ``PauseError``). Pausing a paused task replaces its reason and expiry."""
    reason = check_reason(reason)
    by = _by(by)
    with locked_transaction():
        now = timezone.now()
        rows = _declared(names)
        existing = _paused_ids(rows)
        done: list[Done] = []
        for row in rows:
            PauseRow.objects.update_or_create(
                task_id=row.id,
                defaults={"reason": reason, "paused_by": by, "paused_at": now, "until": until},
            )
            action = "pause updated" if row.id in existing else "paused"
            done.append(Done(row.name, action, disabled=row.enabled))
        _log(PAUSE, rows, now, by, reason, until)
        disable = [row for row in rows if row.enabled]
        if disable:
            PeriodicTask.objects.filter(pk__in=[r.id for r in disable]).update(
                enabled=False, date_changed=now
            )
            changelog.append([(r.id, r.name) for r in disable], notify_beat(now))
    return done


def resume(names: Sequence[str], *, by: str) -> list[Done]:
    """End the pauses of ``names`` now: each task is enabled again if its file declares it
    enabled, counting its next run from now. A name that is not paused is a ``PauseError``."""
    by = _by(by)
    with locked_transaction():
        now = timezone.now()
        rows = _declared(names)
        paused = _paused_ids(rows)
        missing = [row.name for row in rows if row.id not in paused]
        if missing:
            raise PauseError(f"not paused: {', '.join(repr(n) for n in missing)}")
        declared = dict(
            ManagedTask.objects.filter(task_id__in=paused).values_list(
                "task_id", "applied_state__enabled"
            )
        )
        PauseRow.objects.filter(task_id__in=paused).delete()
        _log(RESUME, rows, now, by, "", None)
        enable = [row for row in rows if not row.enabled and declared.get(row.id) is not False]
        if enable:
            PeriodicTask.objects.filter(pk__in=[r.id for r in enable]).update(
                enabled=True, last_run_at=now, date_changed=now
            )
            changelog.append([(r.id, r.name) for r in enable], notify_beat(now))
    enabled = {row.id for row in enable}
    return [Done(row.name, "resumed", enabled=row.id in enabled) for row in rows]


def end_expired(pauses: Iterable[Pause], ids: Mapping[str, int], now: datetime) -> None:
    """Inside an apply: remove the expired pauses it has acted on (``ids``: the rows' ids by
    name, as the apply read them), and log their end."""
    pauses = list(pauses)
    PauseRow.objects.filter(task_id__in=[ids[p.name] for p in pauses], until__lte=now).delete()
    _log_pauses(EXPIRE, pauses, now, None)


def log_deleted(pauses: Iterable[Pause], now: datetime, by: str) -> None:
    """Inside an apply: paused tasks deleted because their files no longer declare them."""
    _log_pauses(DELETE, pauses, now, _by(by))


def _log_pauses(action: str, pauses: Iterable[Pause], now: datetime, by: str | None) -> None:
    """``by``: who acted (None: the pause's own author, for an expiry)."""
    PauseEvent.objects.bulk_create(
        [
            PauseEvent(
                at=now,
                action=action,
                name=p.name,
                by=p.paused_by if by is None else by,
                reason=p.reason,
                until=p.until,
                scope=p.scope or DEFAULT_SCOPE,
            )
            for p in pauses
        ]
    )


@dataclass(frozen=True)
class _Row:
    id: int
    name: str
    enabled: bool
    scope: str | None  # None: no file declares the task


def _declared(names: Sequence[str]) -> list[_Row]:
    """The rows of ``names``, locked; every name must be a task that a schedule file declares."""
    if not names:
        raise PauseError("name at least one task")
    unique = list(dict.fromkeys(names))
    # Lock the task rows alone: PostgreSQL refuses FOR UPDATE on the nullable side of the outer
    # join to the ledger, and MariaDB has no FOR UPDATE OF; the scopes are a second query.
    rows = list(
        PeriodicTask.objects.select_for_update()
        .filter(name__in=unique)
        .values_list("pk", "name", "enabled")
    )
    scopes = dict(
        ManagedTask.objects.filter(task_id__in=[pk for pk, _, _ in rows]).values_list(
            "task_id", "scope"
        )
    )
    found = {name: _Row(pk, name, enabled, scopes.get(pk)) for pk, name, enabled in rows}
    unknown = [name for name in unique if name not in found]
    if unknown:
        raise PauseError(f"no periodic task named {_names(unknown)}")
    undeclared = [name for name in unique if found[name].scope is None]
    if undeclared:
        raise PauseError(
            f"{_names(undeclared)}: not declared in a schedule file "
            f"({plural(len(undeclared), 'task')} the syncer does not manage); a pause overrides "
            "a declaration: disable an unmanaged task in the admin instead"
        )
    return [found[name] for name in unique]


def _paused_ids(rows: list[_Row]) -> set[int]:
    ids = PauseRow.objects.filter(task_id__in=[r.id for r in rows]).values_list(
        "task_id", flat=True
    )
    return set(ids)


def _log(
    action: str, rows: list[_Row], now: datetime, by: str, reason: str, until: datetime | None
) -> None:
    PauseEvent.objects.bulk_create(
        [
            PauseEvent(
                at=now,
                action=action,
                name=row.name,
                by=by,
                reason=reason,
                until=until,
                scope=row.scope or DEFAULT_SCOPE,
            )
            for row in rows
        ]
    )


def _by(by: str) -> str:
    text = by.strip() or "unknown"
    return text[:BY_MAX]


def _names(names: list[str]) -> str:
    return ", ".join(repr(name) for name in names)
