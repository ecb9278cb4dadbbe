"""`--scope` on the command line: the issue's story told as two teams' CI jobs would run it, the
scope's name checked (a usage error), `SYNCER_SCOPE`, conflicts as located errors, take-over,
status and export of one scope."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from django_celery_beat.models import PeriodicTask

from syncer.cli.main import main
from syncer.models import ManagedTask
from tests.helpers import write_files

pytestmark = pytest.mark.django_db

A = "tasks:\n  a1: {task: tasks.print_hello, every: 1m}\n  a2: {task: tasks.print_hello, every: 2m}\n"
B = "tasks:\n  b1: {task: tasks.print_hello, every: 3m}\n"


@pytest.fixture
def repos(tmp_path: Path) -> tuple[Path, Path]:
    """Service A's and service B's schedule directories, applied to the same database."""
    return (
        write_files(tmp_path / "a", {"tasks.yaml": A}),
        write_files(tmp_path / "b", {"tasks.yaml": B}),
    )


def owners() -> dict[str, str]:
    return dict(ManagedTask.objects.values_list("task__name", "scope"))


def test_two_services_share_one_database(repos, capsys):
    a, b = repos
    assert main(["apply", str(a), "--scope", "service-a"]) == 0
    capsys.readouterr()
    assert main(["plan", str(b), "--scope", "service-b"]) == 0
    text = capsys.readouterr().out
    assert "+ create b1" in text and "delete" not in text.split("Plan:")[0]
    assert f"  = a1  (owned by scope `service-a`, {a}/tasks.yaml:2)" in text
    assert (
        "0 to delete; 0 unchanged, 0 unmanaged left alone, 2 owned by other scopes left alone."
        in text
    )
    assert main(["plan", str(b), "--scope", "service-b", "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["scope"], data["other_scopes"]) == ("service-b", {"service-a": 2})
    assert [t["name"] for t in data["other_scope_tasks"]] == ["a1", "a2"]
    assert main(["apply", str(b), "--scope", "service-b"]) == 0
    assert owners() == {"a1": "service-a", "a2": "service-a", "b1": "service-b"}


def test_the_scope_comes_from_syncer_scope_when_no_option_names_it(repos, monkeypatch):
    a, b = repos
    monkeypatch.setenv("SYNCER_SCOPE", "service-a")
    assert main(["apply", str(a)]) == 0
    assert main(["apply", str(b), "--scope", "service-b"]) == 0  # the option wins
    assert owners() == {"a1": "service-a", "a2": "service-a", "b1": "service-b"}


@pytest.mark.parametrize("value", ["Service-A", "a b", "", "x" * 64, "../a"])
def test_a_bad_scope_name_is_a_usage_error(repos, capsys, value):
    a, _ = repos
    for command in ("validate", "plan", "apply", "status", "export", "watch"):
        with pytest.raises(SystemExit) as exited:
            main([command, str(a), "--scope", value])
        assert exited.value.code == 1, command
        err = capsys.readouterr().err
        assert "argument --scope: " in err and "is not a scope name" in err, err
    with pytest.raises(SystemExit) as exited:
        main(["apply", str(a), "--take-over", value])
    assert exited.value.code == 1
    assert PeriodicTask.objects.count() == 0


def test_a_bad_syncer_scope_is_a_configuration_error(repos, capsys, monkeypatch):
    monkeypatch.setenv("SYNCER_SCOPE", "Payments")
    assert main(["apply", str(repos[0])]) == 1
    assert "environment variable SYNCER_SCOPE: 'Payments' is not a scope name" in (
        capsys.readouterr().err
    )
    assert PeriodicTask.objects.count() == 0


def test_taking_over_from_the_scope_being_applied_is_an_error(repos, capsys):
    assert main(["apply", str(repos[0]), "--scope", "a", "--take-over", "a"]) == 1
    assert "--take-over a: that is the scope being applied" in capsys.readouterr().err


def test_declaring_a_name_another_scope_owns_exits_1_at_the_declaration(repos, capsys, monkeypatch):
    a, b = repos
    monkeypatch.setenv("SYNCER_REVISION", "abc123")
    assert main(["apply", str(a), "--scope", "service-a"]) == 0
    (b / "tasks.yaml").write_text(B + "  a1: {task: tasks.print_hello, every: 9m}\n")
    capsys.readouterr()
    for command in ("plan", "apply"):
        assert main([command, str(b), "--scope", "service-b", "--detailed-exitcode"]) == 1
        err = capsys.readouterr().err
        assert (
            f"{b}/tasks.yaml:3:3: task 'a1': this name is owned by scope `service-a` (declared at "
            f"{a}/tasks.yaml:2, revision abc123): to move it to this scope, add "
            "`previous_scope: service-a` to the task or apply with --take-over service-a"
        ) in err
        assert "1 problem in 1 file; nothing was changed" in err
    assert main(["apply", str(b), "--scope", "service-b", "-o", "json"]) == 1
    (problem,) = json.loads(capsys.readouterr().out)["problems"]
    assert (problem["line"], problem["column"], problem["task"]) == (3, 3, "a1")
    assert owners() == {"a1": "service-a", "a2": "service-a"}


def test_take_over_on_the_command_line(repos, capsys):
    a, b = repos
    assert main(["apply", str(a), "--scope", "service-a"]) == 0
    (b / "tasks.yaml").write_text(B + "  a1: {task: tasks.print_hello, every: 1m}\n")
    capsys.readouterr()
    assert main(["plan", str(b), "--scope", "service-b", "--take-over", "service-a"]) == 0
    text = capsys.readouterr().out
    assert f"  << take-over a1  ({b}/tasks.yaml:3)" in text
    assert "1 to take over" in text
    assert main(["apply", str(b), "--scope", "service-b", "--take-over", "service-a"]) == 0
    assert owners() == {"a1": "service-b", "a2": "service-a", "b1": "service-b"}
    # Service A removes a1 from its files: nothing of B's is deleted.
    (a / "tasks.yaml").write_text("tasks:\n  a2: {task: tasks.print_hello, every: 2m}\n")
    assert main(["apply", str(a), "--scope", "service-a", "--detailed-exitcode"]) == 0
    assert set(owners()) == {"a1", "a2", "b1"}


def test_status_lists_every_scope_and_scope_filters(repos, capsys, monkeypatch):
    a, b = repos
    monkeypatch.setenv("SYNCER_REVISION", "rev-a")
    assert main(["apply", str(a), "--scope", "service-a"]) == 0
    monkeypatch.setenv("SYNCER_REVISION", "rev-b")
    assert main(["apply", str(b), "--scope", "service-b"]) == 0
    capsys.readouterr()
    assert main(["status", str(b), "--scope", "service-b", "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["scope"], data["managed"], list(data["scopes"])) == ("service-b", 1, ["service-b"])
    assert data["last_apply"]["revision"] == "rev-b"
    assert data["pending"]["summary"]["create"] == 0
    monkeypatch.setenv("SYNCER_SCOPE", "service-a")
    assert main(["status", str(a)]) == 0
    text = capsys.readouterr().out
    assert "Scope:       service-a" in text and "Revision:    rev-a" in text
    assert "  * service-a: 2 managed tasks; last apply " in text and "(rev-a)" in text
    assert "    service-b: 1 managed task; last apply " in text and "(rev-b)" in text


def test_status_of_a_single_owner_database_has_no_scopes_section(repos, capsys):
    assert main(["apply", str(repos[0])]) == 0
    capsys.readouterr()
    assert main(["status", str(repos[0])]) == 0
    out = capsys.readouterr().out
    assert "Scope" not in out and "Managed:     2 tasks" in out


def test_export_of_one_scope(repos, tmp_path, capsys):
    a, b = repos
    assert main(["apply", str(a), "--scope", "service-a"]) == 0
    assert main(["apply", str(b), "--scope", "service-b"]) == 0
    capsys.readouterr()
    assert main(["export", "--scope", "service-a"]) == 0
    text = capsys.readouterr().out
    assert set(yaml.safe_load(text)["tasks"]) == {"a1", "a2"}
    assert "# managed by scope `service-a`, declared at " in text
    assert "apply it with --scope service-a" in text
    assert main(["export", "--managed", "--scope", "service-b"]) == 0
    assert set(yaml.safe_load(capsys.readouterr().out)["tasks"]) == {"b1"}
    assert main(["export", "--managed"]) == 0  # every scope, as before
    assert set(yaml.safe_load(capsys.readouterr().out)["tasks"]) == {"a1", "a2", "b1"}
    assert main(["export", "--unmanaged", "--scope", "service-a"]) == 1
    assert "--scope selects rows that a scope owns: not with --unmanaged" in capsys.readouterr().err
    # The export of a scope, applied by that scope, changes nothing.
    out = tmp_path / "recovered"
    assert main(["export", "--scope", "service-a", "--output-file", f"{out}/"]) == 0
    capsys.readouterr()
    assert main(["plan", str(out), "--scope", "service-a", "--detailed-exitcode"]) == 0
    assert "No changes" in capsys.readouterr().out


def test_status_of_files_that_declare_another_scopes_names_is_an_error(repos, capsys):
    a, _ = repos
    assert main(["apply", str(a), "--scope", "service-a"]) == 0
    capsys.readouterr()
    assert main(["status", str(a), "--detailed-exitcode"]) == 1  # the default scope: a's names
    out = capsys.readouterr().out
    assert "Files:       2 names owned by other scopes (run syncer plan)" in out
    assert "    service-a: 2 managed tasks; last apply " in out
    assert main(["status", str(a), "-o", "json"]) == 1
    pending = json.loads(capsys.readouterr().out)["pending"]
    assert pending["valid"] is False and pending["conflicts"] is True
    assert [p.split(": ", 2)[1] for p in pending["problems"]] == ["task 'a1'", "task 'a2'"]
