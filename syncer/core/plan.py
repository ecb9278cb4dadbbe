"""The diff: desired tasks vs the live rows (and which of them the syncer manages) -> a ``Plan``.

Pure: no database. A plan is an ordered tuple of typed ``Change`` values, with counts, a safety
check and a checksum. Renderers (text, JSON) and ``apply`` all read the same ``Plan``, and each
change carries what apply writes for it (the state, where it is declared, its spec hash), so that
the checksum of a reviewed plan covers every write.

A plan is made for one ownership scope (``syncer.core.scopes``): it creates, updates, adopts and
deletes only within that scope. Rows that other scopes own are listed (``Plan.others``) and never
changed; declaring one of their names is a conflict (``Plan.conflicts``, located at the
declaration) unless the scope may take it over, which is a change of its own (``take-over``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from syncer.core.errors import Location, Problem, UnsafePlan, ValidationFailed
from syncer.core.pauses import Pause
from syncer.core.scopes import DEFAULT_SCOPE, Scope
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
    TAKE_OVER = "take-over"  # a row another scope owned moves to this one
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
    scope: str = DEFAULT_SCOPE  # the owner: only plans of this scope change the row
    revision: str = ""  # of the apply that last wrote the entry


_sorted_json = json.JSONEncoder(sort_keys=True).encode


@dataclass(frozen=True)
class Owned:
    """A live row that another scope owns: the plan leaves it alone and says so."""

    name: str
    scope: str
    source: Location
    revision: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "scope": self.scope,
            "source": str(self.source),
            "revision": self.revision,
        }


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
    previous_scope: str | None = None  # take-over only: the scope that owned the row
    # The row's active pause (``syncer.core.pauses``): ``after`` is what the row gets, disabled;
    # ``declared`` is what the files say, recorded in the ledger.
    paused: Pause | None = None
    declared: TaskState | None = None

    @property
    def ledger_state(self) -> TaskState | None:
        """The declared state, as the ledger records it (a pause is not a declaration)."""
        return self.declared or self.after

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
        if self.previous_scope is not None:
            data["previous_scope"] = self.previous_scope
        if self.paused is not None:
            data["paused"] = self.paused.to_json()
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
    scope: str = DEFAULT_SCOPE  # the owner this plan creates, changes and prunes for
    others: tuple[Owned, ...] = ()  # live rows other scopes own, left alone
    # Declarations of names that another scope owns, without the permission to take them over:
    # apply refuses the plan (``raise_if_conflicts``), as it refuses invalid files.
    conflicts: tuple[Problem, ...] = ()
    # Pauses of the declared tasks: in force (kept disabled), and expired (the next apply
    # enables the task again, as its change says, and removes the pause).
    paused: tuple[Pause, ...] = ()
    expired_pauses: tuple[Pause, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.changes

    @property
    def writes_nothing(self) -> bool:
        return not self.changes and not self.ledger_refresh and not self.expired_pauses

    def count(self, action: Action) -> int:
        return sum(1 for change in self.changes if change.action == action)

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = {str(action): self.count(action) for action in Action}
        counts["unchanged"] = self.unchanged
        return counts

    def other_scopes(self) -> dict[str, int]:
        """Scope -> how many live rows it owns that this plan leaves alone."""
        counts: dict[str, int] = {}
        for row in self.others:
            counts[row.scope] = counts.get(row.scope, 0) + 1
        return dict(sorted(counts.items()))

    def checksum(self) -> str:
        """Of everything apply writes: the changes, each with its spec hash, the ledger entries it
        refreshes, and the scope they are recorded in (left out for the default scope, so that
        checksums made before scopes existed still match). Previews are not in it: they move
        with the clock."""
        # The SHA-256 of json.dumps({"changes": [...], "ledger_refresh": [...], "scope": ...},
        # sort_keys=True), fed change by change: the same text, without holding every change's
        # JSON at once (hundreds of MB at 100,000 tasks).
        digest = hashlib.sha256()
        parts: list[tuple[str, list[Any] | Any]] = [
            ("changes", (_checksummed(c) for c in self.changes)),
            ("ledger_refresh", (refresh.to_json() for refresh in self.ledger_refresh)),
        ]
        digest.update(b"{")
        for index, (key, items) in enumerate(parts):
            digest.update(f'{", " if index else ""}"{key}": ['.encode())
            for number, item in enumerate(items):
                digest.update(((", " if number else "") + _sorted_json(item)).encode())
            digest.update(b"]")
        if self.scope != DEFAULT_SCOPE:
            digest.update(f', "scope": {_sorted_json(self.scope)}'.encode())
        digest.update(b"}")
        return digest.hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "changes": [change.to_json() for change in self.changes],
            "summary": self.summary(),
            "checksum": self.checksum(),
            "scope": self.scope,
            "other_scopes": self.other_scopes(),
            "other_scope_tasks": [row.to_json() for row in self.others],
            "paused": [pause.to_json() for pause in self.paused],
            "expired_pauses": [pause.to_json() for pause in self.expired_pauses],
        }

    def resumes(self) -> set[str]:
        """Tasks whose only change is the re-enable that follows the expiry of their pause."""
        expired = {pause.name for pause in self.expired_pauses}
        return {
            c.name
            for c in self.changes
            if c.action == Action.UPDATE and c.fields == ("enabled",) and c.name in expired
        }

    def raise_if_conflicts(self) -> None:
        """Declared names that other scopes own: a user error located at each declaration."""
        if self.conflicts:
            raise ValidationFailed(list(self.conflicts))

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
        # The end of a pause is an operator's decision, not a change of the files.
        updates = self.count(Action.UPDATE) - len(self.resumes())
        touched = deletes + updates + self.count(Action.RENAME)
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


def _checksummed(change: Change) -> dict[str, Any]:
    """A change as the checksum covers it: what apply writes, not who paused the task."""
    data = {**change.to_json(), "spec_hash": change.spec_hash}
    data.pop("paused", None)
    return data


def compute(
    desired: Mapping[str, DesiredTask],
    actual: Mapping[str, TaskState],
    ledger: Mapping[str, LedgerEntry],
    now: datetime,
    scope: Scope = Scope(),
    *,
    pauses: Mapping[str, Pause] | None = None,
) -> Plan:
    """The plan of ``scope``: its declarations against the live rows and the ledger; a paused
    row (``pauses``, by the row's name) stays disabled while its pause is in force."""
    pauses = pauses or {}
    changes: list[Change] = []
    conflicts: list[Problem] = []
    refresh: list[LedgerRefresh] = []
    paused: list[Pause] = []
    expired: list[Pause] = []
    unchanged = 0
    renamed_from: set[str] = set()
    for name, want in desired.items():
        row = _row_of(name, want, desired, actual)
        pause = pauses.get(row) if row is not None else None
        if pause is not None and pause.active(now):
            paused.append(pause)
        elif pause is not None:
            expired.append(pause)
            pause = None
        change = _change(name, want, row, actual, ledger, now, scope, pause)
        if isinstance(change, Problem):
            conflicts.append(change)
        elif change is None:
            unchanged += 1
            entry = _refresh(name, want, ledger[name])
            if entry is not None:
                refresh.append(entry)
        else:
            if change.previous_name is not None:
                renamed_from.add(change.previous_name)
            changes.append(change)
    deletes, others = _undeclared(desired, actual, ledger, scope.name, renamed_from)
    changes.extend(deletes)
    managed = sum(1 for name, e in ledger.items() if e.scope == scope.name and name in actual)
    unmanaged = sum(1 for name in actual if name not in ledger and name not in desired)
    unmanaged -= sum(1 for old in renamed_from if old not in ledger)
    return Plan(
        tuple(sorted(changes, key=lambda c: c.sort_key)),
        unchanged,
        managed,
        unmanaged,
        len(desired),
        tuple(sorted(refresh, key=lambda r: r.name)),
        scope.name,
        tuple(sorted(others, key=lambda o: (o.scope, o.name))),
        tuple(sorted(conflicts)),
        tuple(sorted(paused, key=lambda p: p.name)),
        tuple(sorted(expired, key=lambda p: p.name)),
    )


def _row_of(
    name: str,
    want: DesiredTask,
    desired: Mapping[str, DesiredTask],
    actual: Mapping[str, TaskState],
) -> str | None:
    """The live row a declaration takes: its own name's, or the row it renames (None: created)."""
    return name if name in actual else _renamed_row(want, desired, actual)


def _refresh(name: str, want: DesiredTask, entry: LedgerEntry) -> LedgerRefresh | None:
    """The ledger entry of an unchanged row, when the declaration moved or was respelled."""
    where = want.source
    moved = entry.source.path != where.path or entry.source.line != where.line
    if moved or entry.spec_hash != want.spec_hash:
        return LedgerRefresh(name, want.state, where.without_column(), want.spec_hash)
    return None


def _undeclared(
    desired: Mapping[str, DesiredTask],
    actual: Mapping[str, TaskState],
    ledger: Mapping[str, LedgerEntry],
    scope: str,
    renamed_from: set[str],
) -> tuple[list[Change], list[Owned]]:
    """Managed rows no declaration takes: this scope's are deleted, other scopes' left alone."""
    deletes: list[Change] = []
    others: list[Owned] = []
    for name, entry in ledger.items():
        if name not in actual or name in desired or name in renamed_from:
            continue
        if entry.scope == scope:
            deletes.append(Change(Action.DELETE, name, actual[name], None))
        else:
            others.append(Owned(name, entry.scope, entry.source, entry.revision))
    return deletes, others


def _change(
    name: str,
    want: DesiredTask,
    row: str | None,
    actual: Mapping[str, TaskState],
    ledger: Mapping[str, LedgerEntry],
    now: datetime,
    scope: Scope,
    pause: Pause | None,
) -> Change | Problem | None:
    """The change one declared task needs; None when its row is this scope's and already equal;
    a Problem when the row it would take belongs to another scope that it may not take from.
    (A Location for the change only when there is one: most of a large plan is unchanged.)
    A paused row's declaration is compared, and written, disabled."""
    if row is None:
        source = want.source.without_column()
        return Change(Action.CREATE, name, None, want.state, source, spec_hash=want.spec_hash)
    entry = ledger.get(row)
    taken_from = None
    if entry is not None and entry.scope != scope.name:
        if not scope.may_take(entry.scope, want.previous_scope):
            return _conflict(name, row, want, entry)
        taken_from = entry.scope
    before = actual[row]
    after = want.state
    if pause is not None and after.enabled:
        after = replace(after, enabled=False)
    diff = differing_fields(before, after, now, entry.applied_enabled if entry else None)
    previous = None if row == name else row
    action = _action(entry is not None, previous, taken_from, diff)
    if action is None:
        return None
    fields = ("name", *diff) if previous is not None else diff
    source = want.source.without_column()
    declared = want.state if after is not want.state else None
    return Change(
        action,
        name,
        before,
        after,
        source,
        previous,
        fields,
        want.spec_hash,
        taken_from,
        pause,
        declared,
    )


def _renamed_row(
    want: DesiredTask, desired: Mapping[str, DesiredTask], actual: Mapping[str, TaskState]
) -> str | None:
    """The live row a declaration renames: its first previous name that exists and that no
    other declaration claims as its own name."""
    return next((p for p in want.previous_names if p in actual and p not in desired), None)


def _action(
    managed: bool, previous: str | None, taken_from: str | None, diff: tuple[str, ...]
) -> Action | None:
    if taken_from is not None:
        return Action.TAKE_OVER
    if previous is not None:
        return Action.RENAME
    if not managed:
        return Action.ADOPT
    return Action.UPDATE if diff else None


def _conflict(name: str, row: str, want: DesiredTask, entry: LedgerEntry) -> Problem:
    revision = f", revision {entry.revision}" if entry.revision else ""
    owner = f"scope `{entry.scope}` (declared at {entry.source}{revision})"
    move = (
        f"to move it to this scope, add `previous_scope: {entry.scope}` to the task or apply "
        f"with --take-over {entry.scope}"
    )
    if row == name:
        return Problem(want.source, f"this name is owned by {owner}: {move}", task=name)
    return Problem(
        want.location_of("previous_names"),
        f"previous name {row!r} is owned by {owner}: {move}",
        task=name,
        field="previous_names",
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


def _disabled_by_beat(have: TaskState, want: TaskState, now: datetime) -> bool:
    if have.enabled or not want.enabled:
        return False
    if have.one_off and want.one_off:
        return True
    return want.expires is not None and want.expires <= now
