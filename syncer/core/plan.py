"""The plan: what apply will write, as typed values (``syncer.core.diff`` computes it).

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
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from syncer.core.errors import Location, Problem, UnsafePlan, ValidationFailed
from syncer.core.pauses import Pause
from syncer.core.scopes import DEFAULT_SCOPE
from syncer.core.state import TaskState

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
        with the clock. Computed once per plan (~10 us a change)."""
        known: str | None = self.__dict__.get("_checksum")
        if known is None:
            known = self._digest()
            object.__setattr__(self, "_checksum", known)  # a cache, not a field
        return known

    def _digest(self) -> str:
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
