"""Ownership scopes on the real database: two owners apply their own files to one beat database,
in any order, each creating, changing and pruning only its own rows; names cross only by an
explicit take-over, in the same transaction as the row's fields."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask

from syncer.core.errors import UnsafePlan, ValidationFailed
from syncer.core.scopes import Scope
from syncer.daemon.leader import Leadership
from syncer.db import apply as apply_module
from syncer.db.apply import Audit, Outcome, apply, make_plan
from syncer.db.status import read_status
from syncer.models import ApplyRecord, Lease, ManagedTask
from tests.helpers import desired_from

pytestmark = pytest.mark.django_db

A_FILES = {
    "a.yaml": """\
        tasks:
          a1: {task: tasks.print_hello, every: 1m}
          a2: {task: tasks.print_hello, every: 2m}
        """
}
B_FILES = {"b.yaml": "tasks:\n  b1: {task: tasks.write_to_file, every: 3m}\n"}


@pytest.fixture
def scoped(tmp_path: Path):
    """scoped("a", files, **options) -> Outcome: `syncer apply --scope a` of a directory of
    scope a's own (a repository, or a directory of a monorepo)."""

    def run(scope: str | Scope, files: dict[str, str], **options) -> Outcome:
        scope = scope if isinstance(scope, Scope) else Scope(scope)
        desired = desired_from(tmp_path / scope.name, files)
        assert desired.errors == [], [str(p) for p in desired.errors]
        return apply(desired.tasks, scope=scope, audit=Audit(f"rev-{scope.name}"), **options)

    return run


def rows() -> dict[str, tuple[int, str]]:
    """name -> (interval minutes, owning scope or '-')."""
    owners = dict(ManagedTask.objects.values_list("task__name", "scope"))
    return {
        t.name: (t.interval.every, owners.get(t.name, "-"))
        for t in PeriodicTask.objects.select_related("interval")
    }


def test_the_second_scope_creates_its_task_and_deletes_none_of_the_first(scoped):
    scoped("a", A_FILES)
    outcome = scoped("b", B_FILES)
    assert [(c.action, c.name) for c in outcome.plan.changes] == [("create", "b1")]
    assert outcome.plan.other_scopes() == {"a": 2}
    assert rows() == {"a1": (1, "a"), "a2": (2, "a"), "b1": (3, "b")}
    # And back: each apply finds nothing to do, whatever ran in between.
    for scope, files in (("a", A_FILES), ("b", B_FILES), ("a", A_FILES)):
        assert scoped(scope, files).plan.is_empty


def test_interleaved_edits_of_two_scopes_end_as_the_union_of_their_files(scoped):
    scoped("b", B_FILES)
    scoped("a", A_FILES)
    scoped("b", {"b.yaml": "tasks:\n  b2: {task: tasks.print_hello, every: 4m}\n"})
    pruned = scoped("a", {"a.yaml": "tasks:\n  a2: {task: tasks.print_hello, every: 5m}\n"})
    assert [(c.action, c.name) for c in pruned.plan.changes] == [
        ("update", "a2"),
        ("delete", "a1"),
    ]
    assert rows() == {"a2": (5, "a"), "b2": (4, "b")}
    assert [r.scope for r in ApplyRecord.objects.order_by("id")] == ["b", "a", "b", "a"]


def test_the_default_scope_is_one_scope_among_others(scoped, apply_files):
    scoped("a", A_FILES)
    outcome = apply_files(B_FILES)  # no scope: `default`, as before scopes existed
    assert [(c.action, c.name) for c in outcome.plan.changes] == [("create", "b1")]
    assert rows()["b1"] == (3, "default")
    assert ApplyRecord.objects.order_by("-id").first().scope == "default"


def test_a_name_another_scope_owns_is_refused_with_its_owner_and_nothing_changes(scoped):
    scoped("a", A_FILES)
    before = rows()
    files = {
        "b.yaml": "tasks:\n  b1: {task: tasks.print_hello, every: 1m}\n  a1: {task: tasks.print_hello, every: 9m}\n"
    }
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationFailed) as raised:
        scoped("b", files)
    (problem,) = raised.value.problems
    assert problem.location.path.endswith("b/b.yaml") and problem.location.line == 3
    assert problem.task == "a1"
    assert "owned by scope `a` (declared at " in problem.message
    assert "a/a.yaml:2, revision rev-a)" in problem.message
    assert rows() == before
    assert not [q for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]


@pytest.mark.parametrize("spelling", ["--take-over", "previous_scope"])
def test_a_take_over_moves_the_row_and_its_ledger_entry_together(scoped, spelling):
    scoped("a", A_FILES)
    a1_id = PeriodicTask.objects.get(name="a1").pk
    line = "  a1: {task: tasks.print_hello, every: 7m%s}\n"
    if spelling == "--take-over":
        scope, files = Scope("b", frozenset({"a"})), {"b.yaml": "tasks:\n" + line % ""}
    else:
        scope, files = Scope("b"), {"b.yaml": "tasks:\n" + line % ", previous_scope: a"}
    outcome = scoped(scope, files)
    assert [(c.action, c.name, c.fields) for c in outcome.plan.changes] == [
        ("take-over", "a1", ("schedule",))
    ]
    assert rows() == {"a1": (7, "b"), "a2": (2, "a")}
    assert PeriodicTask.objects.get(name="a1").pk == a1_id  # the same row: its history stays
    record = ApplyRecord.objects.order_by("-id").first()
    assert (record.scope, record.taken_over, record.created) == ("b", 1, 0)
    # Scope a still declares a1: now it is a's turn to be refused, and a2 stays a's.
    with pytest.raises(ValidationFailed) as raised:
        scoped("a", A_FILES)
    assert "task 'a1': this name is owned by scope `b`" in str(raised.value.problems[0])
    assert scoped(
        "a", {"a.yaml": "tasks:\n  a2: {task: tasks.print_hello, every: 2m}\n"}
    ).plan.is_empty
    assert scoped(scope, files).plan.is_empty


def test_a_take_over_that_fails_half_way_changes_neither_the_row_nor_its_owner(scoped, monkeypatch):
    scoped("a", A_FILES)

    def broken() -> int:
        raise RuntimeError("the database went away after the row and ledger writes")

    monkeypatch.setattr(apply_module, "prune_unused_schedules", broken)
    files = {"b.yaml": "tasks:\n  a1: {task: tasks.print_hello, every: 7m, previous_scope: a}\n"}
    with pytest.raises(RuntimeError):
        scoped("b", files)
    assert rows() == {"a1": (1, "a"), "a2": (2, "a")}
    assert list(ApplyRecord.objects.values_list("scope", flat=True)) == ["a"]


def test_the_safety_guards_count_only_the_scopes_own_rows(scoped):
    many = "tasks:\n" + "".join(
        f"  a{i}: {{task: tasks.print_hello, every: 1m}}\n" for i in range(40)
    )
    scoped("a", {"a.yaml": many})
    ten = "tasks:\n" + "".join(
        f"  b{i}: {{task: tasks.print_hello, every: 1m}}\n" for i in range(10)
    )
    scoped("b", {"b.yaml": ten})
    edited = ten.replace("every: 1m", "every: 2m", 4)
    with pytest.raises(UnsafePlan, match="refusing to change 4 of 10 managed tasks"):
        scoped("b", {"b.yaml": edited})
    with pytest.raises(UnsafePlan, match="refusing to delete all 10 managed tasks"):
        scoped("b", {"b.yaml": "tasks: {}\n"})
    # A new scope with nothing of its own: an empty directory deletes nothing and is no refusal.
    assert scoped("c", {"c.yaml": "tasks: {}\n"}).plan.is_empty
    assert len(rows()) == 50


def test_a_reviewed_plan_of_one_scope_is_not_the_plan_of_another(scoped, tmp_path):
    desired = desired_from(tmp_path / "x", B_FILES).tasks
    reviewed, _ = make_plan(desired, scope=Scope("a"))
    with pytest.raises(Exception, match="the schedule changed since the plan was reviewed"):
        apply(desired, scope=Scope("b"), expected_checksum=reviewed.checksum())
    assert PeriodicTask.objects.count() == 0
    apply(desired, scope=Scope("a"), expected_checksum=reviewed.checksum())
    assert rows() == {"b1": (3, "a")}


def test_status_shows_each_scope_and_its_last_apply(scoped):
    scoped("a", A_FILES)
    scoped("b", B_FILES)
    PeriodicTask.objects.filter(name="b1").update(queue="edited")
    status = read_status(scope="b")
    assert (status.scope, status.managed, status.drift) == ("b", 1, {"b1": ["queue"]})
    assert status.last_apply["revision"] == "rev-b" and status.last_apply["scope"] == "b"
    assert {name: (s["managed"], s["drift"]) for name, s in status.scopes.items()} == {
        "a": (2, 0),
        "b": (1, 1),
    }
    assert status.scopes["a"]["last_apply"]["revision"] == "rev-a"
    only = read_status(scope="a", every_scope=False)
    assert list(only.scopes) == ["a"] and only.managed == 2 and only.drift == {}


def test_each_scope_elects_its_own_watch_leader():
    default, a, a_again = (
        Leadership(2.0, ttl=30, holder="h-default"),
        Leadership(2.0, ttl=30, holder="h-a", scope=Scope("a")),
        Leadership(2.0, ttl=30, holder="h-a2", scope=Scope("a")),
    )
    assert default.hold() and a.hold()
    assert not a_again.hold()
    assert dict(Lease.objects.values_list("name", "holder")) == {
        "syncer-watch": "h-default",
        "syncer-watch:a": "h-a",
    }
