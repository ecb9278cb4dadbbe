"""``.github/workflows/schedules.yml``: its structure, and its ``run:`` steps that call the syncer,
executed as GitHub would (``bash --noprofile --norc -eo pipefail``, the workflow's, job's and step's
``env`` with the ``${{ }}`` expressions resolved) against a database of the test's own."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import ROOT
from tests.e2e.watchproc import Database

WORKFLOW = ROOT / ".github" / "workflows" / "schedules.yml"
SHA = "0123456789abcdef0123456789abcdef01234567"
HELLO = """\
tasks:
  print-hello:
    task: tasks.print_hello
    every: 3s
  nightly:
    task: tasks.write_to_file
    cron: "0 3 * * *"
    timezone: Europe/Berlin
    kwargs: {text: nightly}
"""
BROKEN = "tasks:\n  bad:\n    task: tasks.print_hello\n    every: soon\n"
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def load_workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def evaluate(text: str, context: dict[str, str]) -> str:
    """``${{ a || b || 'literal' }}`` with GitHub's rules: the first truthy operand; an unknown
    secret or variable is empty. Any other name must be in ``context``."""

    def one(match: re.Match[str]) -> str:
        for operand in (part.strip() for part in match.group(1).split("||")):
            if operand.startswith("'") and operand.endswith("'"):
                value = operand[1:-1]
            elif operand.startswith(("secrets.", "vars.")):
                value = context.get(operand, "")
            else:
                value = context[operand]
            if value:
                return value
        return ""

    return _EXPRESSION.sub(one, str(text))


@dataclass
class StepResult:
    name: str
    returncode: int
    stdout: str
    stderr: str


@dataclass
class JobRun:
    steps: list[StepResult] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""

    @property
    def ok(self) -> bool:
        return all(step.returncode == 0 for step in self.steps)

    def step(self, name: str) -> StepResult:
        return next(step for step in self.steps if step.name == name)


class Runner:
    """Runs one job's syncer steps in ``workspace``, stopping at the first failing step."""

    def __init__(self, env: dict[str, str], workspace: Path, secrets: dict[str, str]) -> None:
        self.base = {k: v for k, v in env.items() if k != "DEBUG"}  # a runner has no DEBUG
        bin_dir = str(Path(sys.executable).parent)
        self.base["PATH"] = os.pathsep.join([bin_dir, self.base.get("PATH", "")])
        self.workspace = workspace
        self.context = {
            "github.sha": SHA,
            "github.run_id": "4242",
            "github.event.pull_request.number": "7",
            "inputs.force": "",  # a push; a workflow_dispatch sets "true" or "false"
            **{f"secrets.{k}": v for k, v in secrets.items()},
        }
        self.workflow = load_workflow()

    def run(self, job_name: str) -> JobRun:
        job = self.workflow["jobs"][job_name]
        env = dict(self.base)
        for scope in (self.workflow.get("env", {}), job.get("env", {})):
            env.update({k: evaluate(v, self.context) for k, v in scope.items()})
        output = self.workspace / f"{job_name}.output"
        summary = self.workspace / f"{job_name}.summary"
        output.write_text("")
        summary.write_text("")
        env.update(
            GITHUB_ACTIONS="true",
            GITHUB_ACTOR="octocat",
            GITHUB_REPOSITORY="acme/schedules",
            GITHUB_SHA=SHA,
            GITHUB_OUTPUT=str(output),
            GITHUB_STEP_SUMMARY=str(summary),
        )
        result = JobRun()
        for step in syncer_steps(job):
            step_env = {
                **env,
                **{k: evaluate(v, self.context) for k, v in step.get("env", {}).items()},
            }
            script = self.workspace / ".step.sh"
            script.write_text(step["run"])
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=self.workspace,
                env=step_env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            result.steps.append(StepResult(step["name"], done.returncode, done.stdout, done.stderr))
            if done.returncode != 0:
                break
        result.outputs = dict(
            line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
        )
        result.summary = summary.read_text()
        return result


def syncer_steps(job: dict) -> list[dict]:
    return [s for s in job["steps"] if "run" in s and re.search(r"\bsyncer\b", s["run"])]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    (root / "schedules").mkdir(parents=True)
    (root / "schedules" / "hello.yaml").write_text(HELLO)
    return root


@pytest.fixture
def runner(subprocess_env: dict[str, str], workspace: Path) -> Runner:
    return Runner(subprocess_env, workspace, {"DATABASE_URL": subprocess_env["DATABASE_URL"]})


# --- structure -----------------------------------------------------------------------------------


def test_triggers_jobs_and_guards():
    workflow = load_workflow()
    assert set(workflow["on"]) == {"pull_request", "push", "workflow_dispatch"}
    assert workflow["on"]["workflow_dispatch"]["inputs"]["force"]["default"] is False
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["defaults"]["run"]["shell"] == "bash"
    plan, apply = workflow["jobs"]["plan"], workflow["jobs"]["apply"]
    assert plan["if"] == "github.event_name == 'pull_request'"
    assert "github.event_name == 'push'" in apply["if"] and "refs/heads/main" in apply["if"]
    assert "github.event_name == 'workflow_dispatch'" in apply["if"]
    # Two applies never overlap, and one is never cancelled half-way: one fixed group.
    assert apply["concurrency"] == {
        "group": "schedules-apply-production",
        "cancel-in-progress": False,
    }
    assert "${{" not in apply["concurrency"]["group"]
    assert apply["env"]["SYNCER_REVISION"] == "${{ github.sha }}"
    assert apply["env"]["DATABASE_URL"] == "${{ secrets.DATABASE_URL }}"
    upload = next(
        s for s in plan["steps"] if s.get("uses", "").startswith("actions/upload-artifact")
    )
    assert "plan.json" in upload["with"]["path"]


def test_syncer_steps_run_the_documented_commands_without_expressions():
    jobs = load_workflow()["jobs"]
    plan = "\n".join(s["run"] for s in syncer_steps(jobs["plan"]))
    apply = "\n".join(s["run"] for s in syncer_steps(jobs["apply"]))
    assert "syncer validate --output json" in plan
    assert "syncer plan --output json --detailed-exitcode > plan.json" in plan
    assert "GITHUB_STEP_SUMMARY" in plan
    assert "syncer apply --detailed-exitcode" in apply
    # Values reach the scripts through env only: no ${{ }} is pasted into a shell script.
    for job in jobs.values():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), step["name"]


# --- the steps, run ------------------------------------------------------------------------------


def test_pull_request_plans_push_applies_then_nothing_is_left(runner, subprocess_env, workspace):
    pr = runner.run("plan")
    assert pr.ok, pr.steps
    assert [s.name for s in pr.steps] == ["Validate", "Plan"]
    assert json.loads((workspace / "validate.json").read_text())["valid"] is True
    assert pr.outputs["changes"] == "true"
    plan = json.loads((workspace / "plan.json").read_text())
    assert plan["summary"]["create"] == 2
    assert "## Schedule plan" in pr.summary and "+ create print-hello" in pr.summary
    assert plan["checksum"] in pr.summary
    db = Database(subprocess_env["DATABASE_URL"])
    assert db.tasks() == {}  # planning wrote nothing

    push = runner.run("apply")
    assert push.ok, push.steps
    assert f"Applied {SHA}." in push.step("Apply").stdout
    assert "Plan: 2 to create" in push.summary
    assert set(db.tasks()) == {"print-hello", "nightly"}
    assert db.query("SELECT revision, applied_by FROM syncer_applyrecord") == [
        (SHA, "github-actions:octocat@acme/schedules")
    ]

    again = runner.run("apply")
    assert again.ok and "No changes" in again.step("Apply").stdout
    assert len(db.query("SELECT id FROM syncer_applyrecord")) == 1  # a no-op writes nothing

    pr = runner.run("plan")
    assert pr.ok and pr.outputs["changes"] == "false"
    assert json.loads((workspace / "plan.json").read_text())["changes"] == []

    (workspace / "schedules" / "hello.yaml").write_text(HELLO.replace("every: 3s", "every: 5s"))
    pr = runner.run("plan")
    assert pr.ok and pr.outputs["changes"] == "true"
    (change,) = json.loads((workspace / "plan.json").read_text())["changes"]
    assert (change["action"], change["name"], change["changed_fields"]) == (
        "update",
        "print-hello",
        ["schedule"],
    )


def test_invalid_files_fail_the_pull_request_with_annotations(runner, workspace):
    (workspace / "schedules" / "broken.yaml").write_text(BROKEN)
    pr = runner.run("plan")
    assert not pr.ok
    (validate,) = pr.steps  # the job stops at the failing step
    assert validate.returncode == 1
    assert (
        "::error file=schedules/broken.yaml,line=4,col=5::bad: every: "
        "cannot read 'soon' as a duration" in validate.stdout
    )


def test_plan_step_fails_when_the_plan_fails(runner, workspace):
    # Valid files, but planning itself fails (the database is not reachable): exit 1, not 2.
    runner.context["secrets.DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"
    pr = runner.run("plan")
    assert [s.name for s in pr.steps] == ["Validate", "Plan"]
    assert pr.step("Validate").returncode == 0
    assert pr.step("Plan").returncode == 1
    assert "database error" in pr.step("Plan").stdout + pr.step("Plan").stderr
    assert "changes" not in pr.outputs


def test_a_refused_apply_fails_the_push_and_changes_nothing(runner, subprocess_env, workspace):
    assert runner.run("apply").ok
    (workspace / "schedules" / "hello.yaml").write_text("tasks: {}\n")
    push = runner.run("apply")
    assert push.step("Apply").returncode == 1
    assert "--allow-empty" in push.step("Apply").stderr
    assert set(Database(subprocess_env["DATABASE_URL"]).tasks()) == {"print-hello", "nightly"}


@pytest.mark.parametrize("job", ["plan", "apply"])
def test_a_mistyped_option_fails_the_step_instead_of_passing_for_changes(
    runner, subprocess_env, workspace, job
):
    # argparse's own exit code for a usage error is 2, the code of "changes present": the
    # apply step would print "Applied <sha>." and go green without applying anything.
    for step in runner.workflow["jobs"][job]["steps"]:
        if "run" in step:
            step["run"] = step["run"].replace("--detailed-exitcode", "--detailed-exitcode --stict")
    run = runner.run(job)
    failed = run.steps[-1]
    assert failed.returncode == 1, failed
    assert "unrecognized arguments: --stict" in failed.stderr
    assert "Applied" not in failed.stdout and "changes" not in run.outputs
    assert Database(subprocess_env["DATABASE_URL"]).tasks() == {}


def test_a_reviewed_mass_change_is_applied_by_a_dispatch_with_force(
    runner, subprocess_env, workspace
):
    many = "tasks:\n" + "".join(
        f"  t{i:02}: {{task: tasks.print_hello, every: 3s}}\n" for i in range(12)
    )
    (workspace / "schedules" / "hello.yaml").write_text(many)
    assert runner.run("apply").ok
    (workspace / "schedules" / "hello.yaml").write_text(many.replace("every: 3s", "every: 4s"))
    pr = runner.run("plan")
    assert pr.ok and "Apply will refuse this plan" in pr.summary
    assert json.loads((workspace / "plan.json").read_text())["safety"]["override"] == "--force"
    push = runner.run("apply")  # the merge: refused, nothing written
    assert push.step("Apply").returncode == 1 and "--force" in push.step("Apply").stderr
    runner.context["inputs.force"] = "true"  # the dispatch, after review
    dispatch = runner.run("apply")
    assert dispatch.ok, dispatch.steps
    assert f"Applied {SHA}." in dispatch.step("Apply").stdout
    db = Database(subprocess_env["DATABASE_URL"])
    assert {
        row[0]
        for row in db.query(
            "SELECT every FROM django_celery_beat_intervalschedule i JOIN django_celery_beat_periodictask t ON t.interval_id = i.id"
        )
    } == {4}


# --- hostile schedule files (#19): what the reviewer reads is what runs ---------------------------

# Valid, but every string a reviewer reads holds something that would forge or hide text: a fence
# longer than the workflow's (five backticks), an HTML comment, a cursor move, a screen clear, a
# right-to-left override, a zero-width space, and C1 controls that JSON keeps as they are.
HOSTILE_DESCRIPTION = "ok\n`````\n<!-- the rest of the plan is hidden\x1b[2J\u202e\u200b\x9b31m"
HOSTILE = f"""\
tasks:
  hostile:
    task: tasks.write_to_file
    every: 1h
    description: {json.dumps(HOSTILE_DESCRIPTION)}
    kwargs: {{text: "`````\\u0085<!--"}}
"""
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def fenced_blocks(summary: str) -> list[tuple[str, list[str]]]:
    """(fence, lines) of each fenced block, read as CommonMark reads it: a block ends at a line of
    at least as many backticks as its fence, and nothing else."""
    blocks, fence, body = [], None, []
    for line in summary.splitlines():
        if fence is None:
            match = re.fullmatch(r" {0,3}(`{3,})[^`]*", line)
            if match:
                fence, body = match.group(1), []
        elif re.fullmatch(rf" {{0,3}}`{{{len(fence)},}}\s*", line):
            blocks.append((fence, body))
            fence = None
        else:
            body.append(line)
    assert fence is None, "a fence is left open"
    return blocks


def test_a_hostile_description_cannot_break_out_of_the_job_summaries(
    runner, subprocess_env, workspace
):
    (workspace / "schedules" / "hostile.yaml").write_text(HOSTILE, encoding="utf-8")
    pr = runner.run("plan")
    assert pr.ok, pr.steps
    assert not RAW.search(pr.summary), pr.summary
    (fence, plan), *others = fenced_blocks(pr.summary)
    assert not others and len(fence) == 6  # longer than the five backticks of the content
    text = "\n".join(plan)
    # The whole plan is inside the fence: the comment is text in it, and the summary line too.
    assert "<!-- the rest of the plan is hidden" in text and text.rstrip().endswith(
        "Plan: 3 to create, 0 to update, 0 to rename, 0 to adopt, 0 to delete; 0 unchanged, "
        "0 unmanaged left alone."
    )
    assert (
        '        description: "ok\\n`````\\n<!-- the rest of the plan is hidden\\x1b[2J'
        '\\u202e\\u200b\\x9b31m"'
    ) in plan
    assert '        kwargs: {"text":"`````\\x85<!--"}' in plan
    assert pr.summary.index("Plan checksum") > pr.summary.rindex("``````")
    # The artifact's text plan is escaped the same way; plan.json keeps the exact strings.
    assert not RAW.search((workspace / "plan.txt").read_text(encoding="utf-8"))
    (change,) = (
        c
        for c in json.loads((workspace / "plan.json").read_text())["changes"]
        if c["name"] == "hostile"
    )
    assert change["after"]["description"] == HOSTILE_DESCRIPTION

    push = runner.run("apply")
    assert push.ok, push.steps
    assert f"Applied {SHA}." in push.step("Apply").stdout
    assert not RAW.search(push.summary) and not RAW.search(push.step("Apply").stdout)
    ((fence, applied),) = fenced_blocks(push.summary)
    assert len(fence) == 6 and any(line.startswith("Plan: 3 to create") for line in applied)
    assert push.summary.rstrip().endswith("Applied.")  # after the fence: the syncer's own line
    assert Database(subprocess_env["DATABASE_URL"]).tasks()["hostile"]  # applied as written


def test_a_hostile_task_name_is_refused_and_annotated_escaped(runner, workspace):
    (workspace / "schedules" / "hostile.yaml").write_text(
        'tasks:\n  "innocent\\n  - delete production-billing\\e[2K":\n'
        "    task: tasks.print_hello\n    every: 3s\n",
        encoding="utf-8",
    )
    pr = runner.run("plan")
    (validate,) = pr.steps
    assert validate.returncode == 1
    assert validate.stdout == (
        "::error file=schedules/hostile.yaml,line=2,col=3::innocent\\n  - delete "
        "production-billing\\x1b[2K: task name contains U+000A (LINE FEED) at character 9\n"
    )
