"""What is live: the last apply, what the syncer manages, and rows edited outside the files.

Drift here is measured against what the syncer last applied to each row (``applied_state`` in the
ledger), so it is independent of the files: a plan shows pending file changes, status shows rows
somebody changed behind the syncer's back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from syncer.db.actual import Snapshot, read_snapshot
from syncer.models import ApplyRecord, ManagedTask


@dataclass
class Status:
    last_apply: dict[str, Any] | None
    managed: int
    unmanaged: list[str]
    drift: dict[str, list[str]] = field(default_factory=dict)  # name -> changed fields

    def to_json(self) -> dict[str, Any]:
        return {
            "last_apply": self.last_apply,
            "managed": self.managed,
            "unmanaged": self.unmanaged,
            "drift": self.drift,
        }


def read_status(snapshot: Snapshot | None = None) -> Status:
    snapshot = snapshot or read_snapshot()
    applied = dict(ManagedTask.objects.values_list("task__name", "applied_state"))
    drift: dict[str, list[str]] = {}
    for name, state in applied.items():
        if not state or name not in snapshot.states:
            continue
        live = snapshot.states[name].to_json()
        changed = [key for key, value in state.items() if live.get(key) != value]
        if changed == ["enabled"] and live.get("one_off"):
            continue  # beat disables a one-off task after its run
        if changed:
            drift[name] = changed
    record = ApplyRecord.objects.order_by("-applied_at", "-id").first()
    last = None
    if record is not None:
        last = {
            "applied_at": record.applied_at.isoformat(),
            "revision": record.revision,
            "applied_by": record.applied_by,
            "source": record.source,
            "checksum": record.checksum,
            "summary": {
                "create": record.created,
                "update": record.updated,
                "delete": record.deleted,
                "adopt": record.adopted,
                "rename": record.renamed,
                "unchanged": record.unchanged,
            },
        }
    unmanaged = sorted(name for name in snapshot.states if name not in snapshot.ledger)
    managed = sum(1 for name in snapshot.ledger if name in snapshot.states)
    return Status(last, managed, unmanaged, drift)
