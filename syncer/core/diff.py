"""The diff: desired tasks vs the live rows (and which of them the syncer manages) -> a ``Plan``
(``syncer.core.plan``). Pure: no database.

A declaration is compared with the row it takes (its own name's, or the one it renames) and that
row's ledger entry; managed rows no declaration takes are deleted (this scope's) or left alone
(other scopes'); a row with a pause in force is compared, and written, disabled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from syncer.core.desired_task import DesiredTask
from syncer.core.errors import Problem
from syncer.core.pauses import Pause
from syncer.core.plan import Action, Change, LedgerEntry, LedgerRefresh, Owned, Plan
from syncer.core.scopes import Scope
from syncer.core.state import COMPARED_FIELDS, TaskState


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
    # Most rows of a plan: one comparison of all fields (the name too), or none at all when the
    # row was read as its declaration (``syncer.db.actual.read_snapshot``).
    if have is want or have == want:
        return ()
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
