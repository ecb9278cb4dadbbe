"""The diff: desired tasks vs the live rows (and which of them the syncer owns) -> a ``Plan``.

Pure: no database. A plan is an ordered tuple of typed ``Change`` values, with counts, a safety
check and a checksum. Renderers (text, JSON) and ``apply`` all read the same ``Plan``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from syncer.core.desired import DesiredTask
from syncer.core.errors import Location, UnsafePlan
from syncer.core.state import COMPARED_FIELDS, TaskState

ACTIONS = ("create", "update", "rename", "adopt", "delete")
FORMAT_VERSION = 1
MASS_CHANGE_RATIO = 0.30
MASS_CHANGE_MIN_MANAGED = 10


@dataclass(frozen=True)
class Owned:
    """What the ownership ledger says about one managed row."""

    source: str = ""
    spec_hash: str = ""
    # `enabled` as the syncer last wrote it (None: unknown): tells a row that beat disabled after
    # its run from one that a declaration disabled.
    applied_enabled: bool | None = None


@dataclass(frozen=True)
class Change:
    action: str
    name: str
    before: TaskState | None
    after: TaskState | None
    source: Location | None = None
    previous_name: str | None = None
    fields: tuple[str, ...] = ()

    @property
    def sort_key(self) -> tuple[int, str]:
        return ACTIONS.index(self.action), self.name

    @property
    def touches_schedule(self) -> bool:
        return "schedule" in self.fields or self.before is None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "action": self.action,
            "name": self.name,
            "source": _source(self.source),
            "before": self.before.to_json() if self.before else None,
            "after": self.after.to_json() if self.after else None,
            "changed_fields": list(self.fields),
        }
        if self.previous_name is not None:
            data["previous_name"] = self.previous_name
        return data


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    unchanged: int
    managed: int  # rows owned by the syncer before this plan
    unmanaged: int  # live rows the syncer does not own and leaves alone
    desired: Mapping[str, DesiredTask] = field(default_factory=dict)
    # Owned, unchanged rows whose ledger entry (source file:line, spec hash) is out of date.
    ledger_refresh: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    def summary(self) -> dict[str, int]:
        counts = {action: self.count(action) for action in ACTIONS}
        counts["unchanged"] = self.unchanged
        return counts

    def checksum(self) -> str:
        payload = json.dumps([c.to_json() for c in self.changes], sort_keys=True).encode()
        return hashlib.sha256(payload).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "changes": [change.to_json() for change in self.changes],
            "summary": self.summary(),
            "checksum": self.checksum(),
        }

    def raise_if_unsafe(self, *, force: bool = False, allow_empty: bool = False) -> None:
        deletes = self.count("delete")
        if not allow_empty and not self.desired and self.managed and deletes >= self.managed:
            raise UnsafePlan(
                f"refusing to delete all {self.managed} managed tasks: no task is declared "
                "(empty or missing directory?). Use --allow-empty if that is what you want."
            )
        touched = deletes + self.count("update") + self.count("rename")
        if (
            not force
            and self.managed >= MASS_CHANGE_MIN_MANAGED
            and touched > MASS_CHANGE_RATIO * self.managed
        ):
            raise UnsafePlan(
                f"refusing to change {touched} of {self.managed} managed tasks "
                f"({deletes} deletes), more than {MASS_CHANGE_RATIO:.0%}. "
                "Review the plan and use --force to apply it."
            )


def compute(
    desired: Mapping[str, DesiredTask],
    actual: Mapping[str, TaskState],
    owned: Mapping[str, Owned],
    now: datetime,
) -> Plan:
    changes: list[Change] = []
    unchanged = 0
    refresh: list[str] = []
    renamed_from: set[str] = set()
    for name, want in desired.items():
        have = actual.get(name)
        if have is None:
            old = next((p for p in want.previous_names if p in actual and p not in desired), None)
            if old is not None:
                renamed_from.add(old)
                before = actual[old]
                diff = differing_fields(before, want.state, now, _applied_enabled(owned, old))
                changes.append(
                    Change("rename", name, before, want.state, want.source, old, ("name", *diff))
                )
            else:
                changes.append(Change("create", name, None, want.state, want.source))
            continue
        diff = differing_fields(have, want.state, now, _applied_enabled(owned, name))
        if name not in owned:
            changes.append(Change("adopt", name, have, want.state, want.source, None, diff))
        elif diff:
            changes.append(Change("update", name, have, want.state, want.source, None, diff))
        else:
            unchanged += 1
            ledger = owned[name]
            if ledger.source != _source(want.source) or ledger.spec_hash != want.spec_hash:
                refresh.append(name)
    for name in owned:
        if name in actual and name not in desired and name not in renamed_from:
            changes.append(Change("delete", name, actual[name], None))
    managed = sum(1 for name in owned if name in actual)
    unmanaged = sum(1 for name in actual if name not in owned and name not in desired)
    unmanaged -= sum(1 for old in renamed_from if old not in owned)
    return Plan(
        tuple(sorted(changes, key=lambda c: c.sort_key)),
        unchanged,
        managed,
        unmanaged,
        desired,
        tuple(sorted(refresh)),
    )


def differing_fields(
    have: TaskState, want: TaskState, now: datetime, applied_enabled: bool | None = None
) -> tuple[str, ...]:
    """The declared fields where the row differs from the declaration.

    ``enabled`` is not drift when beat itself switched the task off: a one-off task after its run,
    or a task past its expiry. Re-enabling those would make them run again. When the syncer itself
    last wrote ``enabled: false`` (``applied_enabled``), the row was disabled by a declaration,
    not by beat, and enabling it is a real change.
    """
    diff = [name for name in COMPARED_FIELDS if getattr(have, name) != getattr(want, name)]
    if (
        "enabled" in diff
        and "schedule" not in diff
        and applied_enabled is not False
        and _disabled_by_beat(have, want, now)
    ):
        diff.remove("enabled")
    return tuple(diff)


def _applied_enabled(owned: Mapping[str, Owned], name: str) -> bool | None:
    ledger = owned.get(name)
    return None if ledger is None else ledger.applied_enabled


def _disabled_by_beat(have: TaskState, want: TaskState, now: datetime) -> bool:
    if have.enabled or not want.enabled:
        return False
    if have.one_off and want.one_off:
        return True
    return want.expires is not None and want.expires <= now


def _source(location: Location | None) -> str | None:
    if location is None:
        return None
    return f"{location.path}:{location.line}" if location.line else location.path
