"""The error hierarchy, caught at one boundary per shell (CLI, daemon, API).

``UserError``: bad input the user must fix (exit 1). ``Problem``: one located message; a
``ValidationFailed`` carries all of them. ``UnsafePlan``: a plan refused by the safety rules.
``TemporaryFault``: the database or the broker is unreachable; the daemon retries these only.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from syncer.core.escape import escape


@dataclass(frozen=True, order=True)
class Location:
    path: str
    line: int = 0
    column: int = 0

    def without_column(self) -> Location:
        """Where a task is declared, as the ledger records it and plans show it (path:line)."""
        return Location(self.path, self.line)

    def __str__(self) -> str:
        if not self.line:
            return self.path
        if not self.column:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in the input, printed as ``path:line:col: task 'x': field: message``."""

    location: Location
    message: str
    task: str | None = None
    field: str | None = None
    severity: str = "error"  # "error" or "warning"
    # What this problem says that others say too about other tasks (a DST transition that many
    # crons hit): text output shows one line per group (``syncer.core.render``); JSON every one.
    group: str | None = dataclasses.field(default=None, compare=False)

    def __str__(self) -> str:
        """One line whatever the input: the path, the field and a message quoting a value are
        escaped (``syncer.core.escape``), as the name is by ``repr``."""
        parts = [str(self.location)]
        if self.task is not None:
            parts.append(f"task {self.task!r}")
        if self.field:
            parts.append(self.field)
        prefix = ": ".join(parts)
        kind = "warning: " if self.severity == "warning" else ""
        return escape(f"{prefix}: {kind}{self.message}")

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.location.path,
            "line": self.location.line,
            "column": self.location.column,
            "task": self.task,
            "field": self.field,
            "message": self.message,
            "severity": self.severity,
        }


class SyncerError(Exception):
    """Base of every error the syncer reports on purpose."""

    exit_code = 1


class UserError(SyncerError):
    """Something the user must fix; the message says what."""


@dataclass
class ValidationFailed(UserError):
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.summary())

    def summary(self) -> str:
        files = {p.location.path for p in self.problems}
        n = len(self.problems)
        plural = "s" if len(files) != 1 else ""
        return f"{n} problem{'s' if n != 1 else ''} in {len(files)} file{plural}"

    def __str__(self) -> str:
        return self.summary()


class UnsafePlan(UserError):
    """The plan breaks a safety rule (mass delete, empty source) without --force/--allow-empty."""


class PlanMismatch(UserError):
    """``apply --plan FILE``: the fresh plan differs from the reviewed one."""


class TemporaryFault(SyncerError):
    """The database or broker is unreachable, a lock timed out: worth retrying."""
