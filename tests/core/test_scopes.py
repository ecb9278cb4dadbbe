"""Ownership scopes in the pure core: a plan creates, changes, adopts and prunes only within its
scope, lists the rows of other scopes, refuses their names, and moves a row between scopes only
when told (``--take-over``, ``previous_scope``)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from syncer.core import render
from syncer.core.desired import DesiredTask
from syncer.core.diff import compute
from syncer.core.errors import Location, UnsafePlan, ValidationFailed
from syncer.core.kinds.interval import IntervalKey
from syncer.core.plan import Action, LedgerEntry
from syncer.core.scopes import DEFAULT_SCOPE, Scope, scope_problem
from syncer.core.state import TaskState
from tests.helpers import desired_from, messages

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
A, B = Scope("service-a"), Scope("service-b")


def state(name: str, every: int = 5, **changes) -> TaskState:
    return replace(TaskState(name, "tasks.print_hello", IntervalKey(every, "seconds")), **changes)


def want(
    s: TaskState, *previous: str, path: str = "b/s.yaml", previous_scope: str | None = None
) -> DesiredTask:
    marks = (("previous_names", (4, 5)),) if previous else ()
    source = Location(path, 3, 3)
    return DesiredTask(s, source, previous, "h", marks, previous_scope)


def ledger(scope: str, *names: str, revision: str = "r1") -> dict[str, LedgerEntry]:
    return {
        n: LedgerEntry(Location(f"{scope}/s.yaml", i + 1), "h", None, scope, revision)
        for i, n in enumerate(names)
    }


# --- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["default", "a", "payments", "team-42", "svc_billing", "0", "x" * 63]
)
def test_scope_names_are_short_lowercase_slugs(name):
    assert scope_problem(name) is None


@pytest.mark.parametrize(
    "name", ["", "Payments", "-a", "_a", "a b", "a/b", "a.b", "x" * 64, "ünï", "a\n"]
)
def test_other_scope_names_are_refused_with_the_rule(name):
    message = scope_problem(name)
    assert message is not None and "lowercase letters, digits, '-' and '_'" in message


# --- isolation -----------------------------------------------------------------------------------


def test_a_plan_changes_only_its_scope_and_lists_the_others_rows():
    """The issue's story: A applied a1, a2; B's plan creates b1 and deletes nothing."""
    actual = {"a1": state("a1"), "a2": state("a2"), "admin-made": state("admin-made")}
    plan = compute({"b1": want(state("b1"))}, actual, ledger(A.name, "a1", "a2"), NOW, B)
    assert [(c.action, c.name) for c in plan.changes] == [("create", "b1")]
    assert (plan.scope, plan.managed, plan.unmanaged) == ("service-b", 0, 1)
    assert plan.other_scopes() == {"service-a": 2}
    assert [(o.name, o.scope, str(o.source), o.revision) for o in plan.others] == [
        ("a1", "service-a", "service-a/s.yaml:1", "r1"),
        ("a2", "service-a", "service-a/s.yaml:2", "r1"),
    ]
    data = plan.to_json()
    assert data["scope"] == "service-b" and data["other_scopes"] == {"service-a": 2}
    assert data["other_scope_tasks"][0] == {
        "name": "a1",
        "scope": "service-a",
        "source": "service-a/s.yaml:1",
        "revision": "r1",
    }
    text = render.plan_text(plan)
    assert "  = a1  (owned by scope `service-a`, service-a/s.yaml:1)" in text
    assert text.rstrip().endswith(
        "Plan: 1 to create, 0 to update, 0 to rename, 0 to adopt, 0 to delete; 0 unchanged, "
        "1 unmanaged left alone, 2 owned by other scopes left alone."
    )


def test_the_same_rows_planned_by_their_own_scope_are_unchanged_or_pruned():
    actual = {"a1": state("a1"), "a2": state("a2"), "b1": state("b1")}
    owners = {**ledger(A.name, "a1", "a2"), **ledger(B.name, "b1")}
    plan = compute({"a1": want(state("a1"), path="service-a/s.yaml")}, actual, owners, NOW, A)
    assert [(c.action, c.name) for c in plan.changes] == [("delete", "a2")]
    assert plan.managed == 2 and plan.other_scopes() == {"service-b": 1}


def test_the_text_plan_lists_at_most_ten_rows_a_scope():
    names = [f"a{i:02}" for i in range(13)]
    plan = compute({}, {n: state(n) for n in names}, ledger(A.name, *names), NOW, B)
    text = render.plan_text(plan)
    assert text.count("owned by scope `service-a`,") == 10
    assert "    ... and 3 more owned by scope `service-a`" in text
    assert len(plan.to_json()["other_scope_tasks"]) == 13  # the JSON lists every one


def test_a_plan_of_the_default_scope_reads_as_before_scopes_existed():
    plan = compute({"a": want(state("a"))}, {"a": state("a", every=6)}, ledger("default", "a"), NOW)
    text = render.plan_text(plan)
    assert "scope" not in text and "take over" not in text
    assert plan.scope == DEFAULT_SCOPE and plan.others == ()


def test_the_checksum_covers_the_scope_except_the_default_one():
    desired = {"x": want(state("x"))}
    default = compute(desired, {}, {}, NOW)
    assert compute(desired, {}, {}, NOW, Scope()).checksum() == default.checksum()
    assert compute(desired, {}, {}, NOW, A).checksum() != default.checksum()
    assert (
        compute(desired, {}, {}, NOW, A).checksum() != compute(desired, {}, {}, NOW, B).checksum()
    )


# --- safety guards count the scope's own rows ----------------------------------------------------


def test_the_blast_radius_guard_counts_only_the_scopes_own_rows():
    own = [f"b{i}" for i in range(10)]
    theirs = [f"a{i}" for i in range(100)]
    actual = {n: state(n) for n in own + theirs}
    owners = {**ledger(A.name, *theirs), **ledger(B.name, *own)}
    desired = {n: want(state(n, every=9 if n in own[:4] else 5)) for n in own}
    plan = compute(desired, actual, owners, NOW, B)
    assert plan.managed == 10 and plan.count(Action.UPDATE) == 4
    with pytest.raises(UnsafePlan, match="refusing to change 4 of 10 managed tasks"):
        plan.raise_if_unsafe()


def test_the_empty_guard_counts_only_the_scopes_own_rows():
    actual = {"a1": state("a1"), "b1": state("b1")}
    owners = {**ledger(A.name, "a1"), **ledger(B.name, "b1")}
    emptied = compute({}, actual, owners, NOW, B)
    assert [(c.action, c.name) for c in emptied.changes] == [("delete", "b1")]
    with pytest.raises(UnsafePlan, match="refusing to delete all 1 managed tasks"):
        emptied.raise_if_unsafe()
    fresh = compute({}, {"a1": state("a1")}, ledger(A.name, "a1"), NOW, B)
    assert fresh.is_empty and fresh.refusal() is None  # nothing of B's to delete


# --- conflicts -----------------------------------------------------------------------------------


def test_declaring_a_name_another_scope_owns_is_a_problem_at_the_declaration():
    actual = {"a1": state("a1")}
    plan = compute({"a1": want(state("a1", every=7))}, actual, ledger(A.name, "a1"), NOW, B)
    assert plan.changes == () and plan.others == ()
    (problem,) = plan.conflicts
    assert str(problem) == (
        "b/s.yaml:3:3: task 'a1': this name is owned by scope `service-a` (declared at "
        "service-a/s.yaml:1, revision r1): to move it to this scope, add `previous_scope: "
        "service-a` to the task or apply with --take-over service-a"
    )
    with pytest.raises(ValidationFailed) as raised:
        plan.raise_if_conflicts()
    assert raised.value.problems == [problem]


def test_renaming_a_row_another_scope_owns_is_a_problem_at_previous_names():
    actual = {"a1": state("a1")}
    plan = compute({"b1": want(state("b1"), "a1")}, actual, ledger(A.name, "a1"), NOW, B)
    (problem,) = plan.conflicts
    assert str(problem).startswith(
        "b/s.yaml:4:5: task 'b1': previous_names: previous name 'a1' is owned by scope "
        "`service-a` (declared at service-a/s.yaml:1, revision r1)"
    )


def test_a_previous_scope_that_does_not_own_the_row_is_still_a_conflict():
    actual = {"a1": state("a1")}
    declared = {"a1": want(state("a1"), previous_scope="service-c")}
    plan = compute(declared, actual, ledger(A.name, "a1"), NOW, B)
    assert "owned by scope `service-a`" in str(plan.conflicts[0])


# --- take-over -----------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["--take-over", "previous_scope"])
def test_a_take_over_is_a_change_of_its_own(spelling):
    actual = {"a1": state("a1"), "a2": state("a2")}
    owners = ledger(A.name, "a1", "a2")
    if spelling == "--take-over":
        scope, declared = Scope(B.name, frozenset({A.name})), want(state("a1", every=7))
    else:
        scope, declared = B, want(state("a1", every=7), previous_scope=A.name)
    plan = compute({"a1": declared, "b1": want(state("b1"))}, actual, owners, NOW, scope)
    assert [(c.action, c.name, c.fields, c.previous_scope) for c in plan.changes] == [
        ("create", "b1", (), None),
        ("take-over", "a1", ("schedule",), "service-a"),
    ]
    assert plan.summary()["take-over"] == 1 and plan.conflicts == ()
    assert plan.other_scopes() == {"service-a": 1}  # a2 stays theirs
    change = plan.to_json()["changes"][1]
    assert (change["action"], change["previous_scope"]) == ("take-over", "service-a")
    text = render.plan_text(plan)
    assert "  << take-over a1  (b/s.yaml:3)" in text
    assert "        (it moves from scope `service-a` to this scope)" in text
    assert "1 to adopt" not in text and "0 to adopt, 1 to take over, 0 to delete" in text


def test_a_take_over_of_an_equal_row_moves_only_its_owner():
    plan = compute(
        {"a1": want(state("a1"), previous_scope=A.name)},
        {"a1": state("a1")},
        ledger(A.name, "a1"),
        NOW,
        B,
    )
    (change,) = plan.changes
    assert (change.action, change.fields) == (Action.TAKE_OVER, ())
    assert "(row already matches; it moves from scope `service-a` to this scope)" in (
        render.plan_text(plan)
    )


def test_a_take_over_may_rename_the_row():
    plan = compute(
        {"b1": want(state("b1"), "a1", previous_scope=A.name)},
        {"a1": state("a1")},
        ledger(A.name, "a1"),
        NOW,
        B,
    )
    (change,) = plan.changes
    assert (change.action, change.previous_name, change.fields) == (
        Action.TAKE_OVER,
        "a1",
        ("name",),
    )
    assert plan.others == () and plan.unmanaged == 0
    assert "<< take-over a1 -> b1" in render.plan_text(plan)


def test_previous_scope_is_harmless_once_the_row_moved():
    """The key may stay in the file: the row is this scope's now, nothing to take."""
    plan = compute(
        {"a1": want(state("a1"), previous_scope=A.name)},
        {"a1": state("a1")},
        ledger(B.name, "a1"),
        NOW,
        B,
    )
    assert plan.is_empty and plan.unchanged == 1


def test_take_over_permission_does_not_take_rows_nobody_declares():
    owners = ledger(A.name, "a1")
    plan = compute({}, {"a1": state("a1")}, owners, NOW, Scope(B.name, frozenset({A.name})))
    assert plan.is_empty and plan.other_scopes() == {"service-a": 1}


# --- the format: previous_scope ------------------------------------------------------------------


def test_previous_scope_is_a_task_key_checked_like_a_scope_name(tmp_path):
    files = {
        "a.yaml": """\
            tasks:
              ok: {task: tasks.print_hello, every: 1m, previous_scope: payments}
              bad: {task: tasks.print_hello, every: 1m, previous_scope: Payments}
            """,
        "b.yaml": """\
            defaults: {previous_scope: payments}
            tasks: {}
            """,
    }
    desired = desired_from(tmp_path, files)
    assert desired.tasks["ok"].previous_scope == "payments"
    found = messages(desired, tmp_path)
    assert any(
        m.startswith("a.yaml:3:45: task 'bad': previous_scope: 'Payments' is not a scope name")
        for m in found
    ), found
    assert any(
        m.startswith("b.yaml:1:12: defaults.previous_scope: unknown key 'previous_scope'")
        for m in found
    ), found


def test_previous_scope_is_left_out_of_the_spec_hash(tmp_path):
    plain = desired_from(
        tmp_path, {"a.yaml": "tasks:\n  t: {task: tasks.print_hello, every: 1m}\n"}
    )
    moved = desired_from(
        tmp_path,
        {"a.yaml": "tasks:\n  t: {task: tasks.print_hello, every: 1m, previous_scope: x}\n"},
    )
    assert plain.tasks["t"].spec_hash == moved.tasks["t"].spec_hash


def test_the_plan_json_stays_json():
    plan = compute(
        {"a1": want(state("a1"), previous_scope=A.name)},
        {"a1": state("a1")},
        ledger(A.name, "a1"),
        NOW,
        B,
    )
    assert json.loads(render.plan_json(plan))["summary"]["take-over"] == 1
