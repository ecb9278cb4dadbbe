"""Ownership scopes: which owner (a team, a repository, a service) a managed row belongs to.

Several owners can share one beat database: each applies its own files with its own scope, and
plans, adopts and prunes only the rows of that scope. ``default`` is the scope of every command
that names none, so a database with one owner never sees scopes at all.

A scope name is a short slug: lowercase, because MySQL/MariaDB compare text case-insensitively
(``Payments`` and ``payments`` would be one scope there and two everywhere else); at most 63
characters, so that it fits in a lease name and reads like a DNS label or a Kubernetes name.
Pure: the command line, the settings and the schedule format check names with the same rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_SCOPE = "default"
SCOPE_MAX = 63
SCOPE_PATTERN = r"^[a-z0-9](?:[a-z0-9_-]{0,62})$"
_SCOPE = re.compile(SCOPE_PATTERN)
SCOPE_RULE = (
    f"1 to {SCOPE_MAX} characters: lowercase letters, digits, '-' and '_', "
    "starting with a letter or a digit"
)


def scope_problem(name: object) -> str | None:
    """Why ``name`` is not a scope name, or None."""
    if not isinstance(name, str):
        return f"a scope name is text ({SCOPE_RULE}), not {type(name).__name__}"
    if _SCOPE.fullmatch(name) is None:
        return f"{name!r} is not a scope name ({SCOPE_RULE})"
    return None


@dataclass(frozen=True)
class Scope:
    """The scope a command plans and applies, and the scopes it may take tasks over from
    (``--take-over FROM_SCOPE``; a task's own ``previous_scope`` key allows it for that task)."""

    name: str = DEFAULT_SCOPE
    take_over: frozenset[str] = frozenset()

    def may_take(self, owner: str, previous_scope: str | None) -> bool:
        """May a declaration of this scope take a row that ``owner`` holds?"""
        return owner in self.take_over or owner == previous_scope

    def lease(self, base: str) -> str:
        """A lease per scope: the default scope keeps the name it always had."""
        return base if self.name == DEFAULT_SCOPE else f"{base}:{self.name}"
