"""The diff: desired tasks vs the live rows (and which of them the syncer manages) -> a ``Plan``.

Pure: no database. A plan is an ordered tuple of typed ``Change`` values, with counts, a safety
check and a checksum. Renderers (text, JSON) and ``apply`` all read the same ``Plan``, and each
change carries what apply writes for it (the state, where it is declared, its spec hash), so that
the checksum of a reviewed plan covers every write.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from syncer.core.errors import Location, UnsafePlan
from syncer.core.state import COMPARED_FIELDS, TaskState
from syncer.core.task_build import DesiredTask

FORMAT_VERSION = 1
MASS_CHANGE_RATIO = 0.30
MASS_CHANGE_MIN_MANAGED = 10


class Action(StrEnum):
    """What a change does to a row; the order here is the order of a plan."""

    CREATE = "create"
    UPDATE = "update"
    RENAME = "rename"
    ADOPT = "adopt"
    DELETE = "delete"


_ORDER = {action: index for index, action in enumerate(Action)}


@dataclass(frozen=True)
class LedgerEntry:
    """What the ownership ledger (``ManagedTask``) says about one managed row."""

    source: Location = field(default_factory=lambda: Location(""))  # path:line last applied
    spec_hash: str = ""
    # `enabled` as the syncer last wrote it (None: unknown): tells a row that beat disabled after
    # its run from one that a declaration disabled.
    applied_enabled: bool | None = None


@dataclass(frozen=True)
class Change:
    action: Action
    name: str
    before: TaskState | None
    after: TaskState | None
    source: Location | None = None  # path:line of the declaration (none for a delete)
    previous_name: str | None = None
    fields: tuple[str, ...] = ()
    spec_hash: str = ""  # recorded in the ledger with the declaration's source

    @property
    def sort_key(self) -> tuple[int, str]:
        return _ORDER[self.action], self.name

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "action": str(self.action),
            "name": self.name,
            "source": None if self.source is None else str(self.source),
            "before": self.before.to_json() if self.before else None,
            "after": self.after.to_json() if self.after else None,
            "changed_fields": list(self.fields),
        }
        if self.previous_name is not None:
            data["previous_name"] = self.previous_name
        return data


@dataclass(frozen=True)
class LedgerRefresh:
    """An unchanged managed row whose ledger entry is out of date (the declaration moved to
    another line or file, or was respelled): apply rewrites the entry, not the row."""

    name: str
    state: TaskState
    source: Location
    spec_hash: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "source": str(self.source), "spec_hash": self.spec_hash}


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    unchanged: int
    managed: int  # rows managed by the syncer before this plan
    unmanaged: int  # live rows the syncer does not manage and leaves alone
    declared: int = 0  # tasks declared in the files
    ledger_refresh: tuple[LedgerRefresh, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.changes

    @property
    def writes_nothing(self) -> bool:
        return not self.changes and not self.ledger_refresh

    def count(self, action: Action) -> int:
        return sum(1 for change in self.changes if change.action == action)

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = {str(action): self.count(action) for action in Action}
        counts["unchanged"] = self.unchanged
        return counts

    def checksum(self) -> str:
        """Of everything apply writes: the changes, each with its spec hash, and the ledger
        entries it refreshes. (Previews are not in it: they move with the clock.)"""
        payload = {
            "changes": [{**c.to_json(), "spec_hash": c.spec_hash} for c in self.changes],
            "ledger_refresh": [refresh.to_json() for refresh in self.ledger_refresh],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "changes": [change.to_json() for change in self.changes],
            "summary": self.summary(),
            "checksum": self.checksum(),
        }

    def refusal(self, *, force: bool = False, allow_empty: bool = False) -> Refusal | None:
        """Why ``apply`` (with these flags) would refuse this plan, or None: `plan` says it
        before anyone applies, `apply` raises it."""
        deletes = self.count(Action.DELETE)
        if not allow_empty and not self.declared and self.managed and deletes >= self.managed:
            return Refusal(
                f"refusing to delete all {self.managed} managed tasks: no task is declared "
                "(empty or missing directory?)",
                "--allow-empty",
            )
        touched = deletes + self.count(Action.UPDATE) + self.count(Action.RENAME)
        if (
            not force
            and self.managed >= MASS_CHANGE_MIN_MANAGED
            and touched > MASS_CHANGE_RATIO * self.managed
        ):
            return Refusal(
                f"refusing to change {touched} of {self.managed} managed tasks "
                f"({deletes} deletes), more than {MASS_CHANGE_RATIO:.0%}",
                "--force",
            )
        return None

    def raise_if_unsafe(self, *, force: bool = False, allow_empty: bool = False) -> None:
        refusal = self.refusal(force=force, allow_empty=allow_empty)
        if refusal is not None:
            raise UnsafePlan(refusal.message())


@dataclass(frozen=True)
class Refusal:
    """A safety rule the plan breaks, and the option that overrides it after a review."""

    reason: str
    override: str

    def message(self) -> str:
        if self.override == "--allow-empty":
            return f"{self.reason}. Use --allow-empty if that is what you want."
        return f"{self.reason}. Review the plan and use {self.override} to apply it."

    def to_json(self) -> dict[str, Any]:
        return {"apply_refused": True, "reason": self.reason, "override": self.override}


def compute(
    desired: Mapping[str, DesiredTask],
    actual: Mapping[str, TaskState],
    ledger: Mapping[str, LedgerEntry],
    now: datetime,
) -> Plan:
    changes: list[Change] = []
    unchanged = 0
    refresh: list[LedgerRefresh] = []
    renamed_from: set[str] = set()
    for name, want in desired.items():
        change = _change(name, want, desired, actual, ledger, now)
        if change is None:
            unchanged += 1
            entry, where = ledger[name], want.source
            moved = entry.source.path != where.path or entry.source.line != where.line
            if moved or entry.spec_hash != want.spec_hash:
                source = where.without_column()
                refresh.append(LedgerRefresh(name, want.state, source, want.spec_hash))
            continue
        if change.previous_name is not None:
            renamed_from.add(change.previous_name)
        changes.append(change)
    for name in ledger:
        if name in actual and name not in desired and name not in renamed_from:
            changes.append(Change(Action.DELETE, name, actual[name], None))
    managed = sum(1 for name in ledger if name in actual)
    unmanaged = sum(1 for name in actual if name not in ledger and name not in desired)
    unmanaged -= sum(1 for old in renamed_from if old not in ledger)
    return Plan(
        tuple(sorted(changes, key=lambda c: c.sort_key)),
        unchanged,
        managed,
        unmanaged,
        len(desired),
        tuple(sorted(refresh, key=lambda r: r.name)),
    )


def _change(
    name: str,
    want: DesiredTask,
    desired: Mapping[str, DesiredTask],
    actual: Mapping[str, TaskState],
    ledger: Mapping[str, LedgerEntry],
    now: datetime,
) -> Change | None:
    """The change one declared task needs; None when its row is managed and already equal."""
    have = actual.get(name)
    if have is not None:
        diff = differing_fields(have, want.state, now, _applied_enabled(ledger, name))
        action = Action.ADOPT if name not in ledger else Action.UPDATE if diff else None
        if action is None:
            return None
        source = want.source.without_column()
        return Change(action, name, have, want.state, source, None, diff, want.spec_hash)
    source = want.source.without_column()
    old = next((p for p in want.previous_names if p in actual and p not in desired), None)
    if old is None:
        return Change(Action.CREATE, name, None, want.state, source, spec_hash=want.spec_hash)
    before = actual[old]
    diff = differing_fields(before, want.state, now, _applied_enabled(ledger, old))
    fields = ("name", *diff)
    return Change(Action.RENAME, name, before, want.state, source, old, fields, want.spec_hash)


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


def _applied_enabled(ledger: Mapping[str, LedgerEntry], name: str) -> bool | None:
    entry = ledger.get(name)
    return None if entry is None else entry.applied_enabled


def _disabled_by_beat(have: TaskState, want: TaskState, now: datetime) -> bool:
    if have.enabled or not want.enabled:
        return False
    if have.one_off and want.one_off:
        return True
    return want.expires is not None and want.expires <= now
