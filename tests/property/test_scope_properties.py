"""Properties of applies by several ownership scopes on one database, over random valid schedules
(the strategies of ``test_apply_properties``), on the real database and the real path:

1. Union: whatever the interleaving of the scopes' applies, the rows end as the union of each
   scope's last files, each row owned by the scope that declares it, exactly the rows that
   fresh applies of those last files make (in either order).
2. Isolation: after the interleaving, no scope's plan has anything to do, and each plan counts
   the other scope's rows as theirs.

Each scope declares its own names (the names of the strategies, prefixed with the scope):
names shared between scopes are conflicts, covered by the example tests.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncer.core.scopes import Scope
from syncer.db.apply import apply, make_plan
from syncer.models import ManagedTask
from tests.property.test_apply_properties import (
    SETTINGS,
    Spec,
    desired_tasks,
    dump,
    reset,
    specs,
    variant,
)

pytestmark = pytest.mark.django_db

SCOPES = ("default", "team-b")


@st.composite
def interleavings(draw: Any) -> list[tuple[str, Spec]]:
    """2-5 applies, each by one of the scopes, of new files or an edit of that scope's last."""
    steps: list[tuple[str, Spec]] = []
    last: dict[str, Spec] = {}
    for _ in range(draw(st.integers(2, 5))):
        scope = draw(st.sampled_from(SCOPES))
        base = last.get(scope)
        spec = draw(specs() if base is None else st.one_of(specs(), variant(base)))
        last[scope] = spec
        steps.append((scope, spec))
    return steps


def own(spec: Spec, scope: str) -> Spec:
    """The same files with the scope's own names (a prefix), renames included."""

    def name(old: str) -> str:
        return f"{scope}.{old}"

    tasks = {}
    for task, body in spec.tasks.items():
        body = dict(body)
        if "previous_names" in body:
            body["previous_names"] = [name(p) for p in body["previous_names"]]
        tasks[name(task)] = body
    files = {path: [name(t) for t in names] for path, names in spec.files.items()}
    return Spec(tasks, files, spec.defaults)


def apply_as(scope: str, spec: Spec):
    return apply(desired_tasks(own(spec, scope)), scope=Scope(scope), force=True, allow_empty=True)


def owners() -> dict[str, str]:
    return dict(ManagedTask.objects.values_list("task__name", "scope"))


def world(steps: list[tuple[str, Spec]]) -> tuple[dict[str, Any], dict[str, str]]:
    reset()
    for scope, spec in steps:
        apply_as(scope, spec)
    return dump(), owners()


def last_of(steps: list[tuple[str, Spec]]) -> dict[str, Spec]:
    return {scope: spec for scope, spec in steps}


@SETTINGS
@given(steps=interleavings())
def test_interleaved_applies_of_two_scopes_end_as_the_union_of_their_files(steps):
    after, owned = world(steps)
    last = last_of(steps)
    expected = {name: scope for scope, spec in last.items() for name in own(spec, scope).tasks}
    assert owned == expected
    assert set(after["tasks"]) == set(expected)
    for order in (list(last.items()), list(reversed(last.items()))):
        assert world(order) == (after, owned)


@SETTINGS
@given(steps=interleavings())
def test_after_any_interleaving_no_scope_has_anything_to_do(steps):
    world(steps)
    last = last_of(steps)
    for scope, spec in last.items():
        plan, _ = make_plan(desired_tasks(own(spec, scope)), scope=Scope(scope))
        assert plan.changes == (), [(c.action, c.name, c.fields) for c in plan.changes]
        theirs = {other: len(own(s, other).tasks) for other, s in last.items() if other != scope}
        assert plan.other_scopes() == {k: v for k, v in theirs.items() if v}
