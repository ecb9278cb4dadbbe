"""What is live: the last apply, what the syncer manages, and rows edited outside the files.

Drift here is measured against what the syncer last applied to each row (``applied_state`` in the
ledger), so it is independent of the files: a plan shows pending file changes, status shows rows
somebody changed behind the syncer's back.

Status is of one ownership scope (its managed rows, their drift, its last apply), with an overview
of every scope that shares the database: how many rows each owns, how many drifted, and its last
apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from syncer.core.scopes import DEFAULT_SCOPE
from syncer.db.actual import Snapshot, read_snapshot
from syncer.models import ApplyRecord, ManagedTask, PauseEvent


@dataclass
class Status:
    last_apply: dict[str, Any] | None
    managed: int
    unmanaged: list[str]
    drift: dict[str, list[str]] = field(default_factory=dict)  # name -> changed fields
    scope: str = DEFAULT_SCOPE
    # scope -> {"managed": rows, "drift": rows changed elsewhere, "last_apply": {...} | None}
    scopes: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The scope's paused tasks: the pause, whether it expired (the next reconcile resumes the
    # task) and a warning for an indefinite pause older than a day.
    paused: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "last_apply": self.last_apply,
            "managed": self.managed,
            "unmanaged": self.unmanaged,
            "drift": self.drift,
            "scope": self.scope,
            "scopes": self.scopes,
            "paused": self.paused,
        }


def read_status(
    snapshot: Snapshot | None = None, scope: str = DEFAULT_SCOPE, every_scope: bool = True
) -> Status:
    """The status of ``scope``; the overview lists every scope, or only ``scope``."""
    snapshot = snapshot or read_snapshot()
    drift: dict[str, dict[str, list[str]]] = {}
    for name, state, owner in ManagedTask.objects.values_list(
        "task__name", "applied_state", "scope"
    ):
        changed = _drift(snapshot, name, state)
        if name in snapshot.pauses and "enabled" in changed:
            changed.remove("enabled")  # a pause disabled it, not somebody behind our back
        if changed:
            drift.setdefault(owner, {})[name] = changed
    managed: dict[str, int] = {}
    for name, entry in snapshot.ledger.items():
        if name in snapshot.states:
            managed[entry.scope] = managed.get(entry.scope, 0) + 1
    names = sorted({*managed, *_applied_scopes()} if every_scope else {scope})
    overview: dict[str, dict[str, Any]] = {
        name: {
            "managed": managed.get(name, 0),
            "drift": len(drift.get(name, {})),
            "last_apply": last_apply(name),
        }
        for name in names
    }
    unmanaged = sorted(name for name in snapshot.states if name not in snapshot.ledger)
    last = overview[scope]["last_apply"] if scope in overview else last_apply(scope)
    paused = _paused(snapshot, scope, timezone.now())
    status = Status(last, managed.get(scope, 0), unmanaged, drift.get(scope, {}), scope, overview)
    status.paused = paused
    return status


def _paused(snapshot: Snapshot, scope: str, now: datetime) -> list[dict[str, Any]]:
    out = []
    for name, pause in sorted(snapshot.pauses.items()):
        entry = snapshot.ledger.get(name)
        if entry is None or entry.scope != scope:
            continue
        warning = None
        if pause.indefinite_and_old(now):
            days = (now - pause.paused_at).days
            warning = f"paused indefinitely {days} days ago: resume it or give it an expiry"
        out.append({**pause.to_json(), "expired": not pause.active(now), "warning": warning})
    return out


def history(scope: str, limit: int) -> list[dict[str, Any]]:
    """The last ``limit`` applies, pauses and resumes of ``scope``, the latest first."""
    applies = ApplyRecord.objects.filter(scope=scope).order_by("-applied_at", "-id")[:limit]
    events = PauseEvent.objects.filter(scope=scope).order_by("-at", "-id")[:limit]
    rows: list[dict[str, Any]] = [
        {
            "at": record.applied_at.isoformat(),
            "event": "apply",
            "by": record.applied_by,
            "revision": record.revision,
            "summary": (
                f"{record.created} created, {record.updated} updated, {record.deleted} "
                f"deleted, {record.adopted} adopted, {record.renamed} renamed"
            ),
        }
        for record in applies
    ]
    rows.extend(
        {
            "at": event.at.isoformat(),
            "event": event.action,
            "by": event.by,
            "task": event.name,
            "reason": event.reason,
            "until": None if event.until is None else event.until.isoformat(),
        }
        for event in events
    )
    rows.sort(key=lambda row: row["at"], reverse=True)
    return rows[:limit]


def _drift(snapshot: Snapshot, name: str, state: dict[str, Any] | None) -> list[str]:
    if not state or name not in snapshot.states:
        return []
    live = snapshot.states[name].to_json()
    changed = [key for key, value in state.items() if live.get(key) != value]
    if changed == ["enabled"] and live.get("one_off"):
        return []  # beat disables a one-off task after its run
    return changed


def _applied_scopes() -> set[str]:
    return set(ApplyRecord.objects.order_by().values_list("scope", flat=True).distinct())


def last_apply(scope: str) -> dict[str, Any] | None:
    record = ApplyRecord.objects.filter(scope=scope).order_by("-applied_at", "-id").first()
    if record is None:
        return None
    return {
        "applied_at": record.applied_at.isoformat(),
        "revision": record.revision,
        "applied_by": record.applied_by,
        "source": record.source,
        "checksum": record.checksum,
        "scope": record.scope,
        "summary": {
            "create": record.created,
            "update": record.updated,
            "delete": record.deleted,
            "adopt": record.adopted,
            "rename": record.renamed,
            "take-over": record.taken_over,
            "unchanged": record.unchanged,
        },
    }
