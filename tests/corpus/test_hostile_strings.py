"""Hostile strings in every field a reviewer reads (#19): each is printed as a visible escape in
every text output (plan text and Markdown, status, validate, export's and import's notes, text
logs), never as the character; JSON outputs keep the exact strings.

The catalogue: CR, LF, backspace, ESC/CSI/OSC sequences, C1 controls and DEL, the bidirectional
embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), the zero-width characters
(U+200B-U+200D, U+FEFF). Each entry gives the string, its escape in text (Python's spelling) and
in a JSON value of the plan (args, kwargs, headers: their stored JSON text, whose C0 controls
JSON itself escapes). Names holding them are refused (``tests/data/invalid/name-*``); names that
look alike are warned about (the last tests).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
from pathlib import Path

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from hypothesis import given
from hypothesis import strategies as st

from syncer.core import render
from syncer.core.errors import Location, Problem
from syncer.core.escape import HIDDEN_RE, escape, escape_lines, find_hidden, quoted
from syncer.core.kinds.interval import IntervalKey
from syncer.core.plan import Action, Change, Plan
from syncer.core.preview import ChangePreview, Preview
from syncer.core.state import TaskState, canonical_json
from syncer.daemon.logs import JsonFormatter, TextFormatter
from tests.corpus.scenarios import run_cli

# (label, string, in text, in a JSON value)
HOSTILE: list[tuple[str, str, str, str]] = [
    ("carriage return", "\r", "\\r", "\\r"),
    ("line feed", "\n", "\\n", "\\n"),
    ("backspace", "\b", "\\x08", "\\b"),
    ("tab", "\t", "\\t", "\\t"),
    ("CSI color", "\x1b[31m", "\\x1b[31m", "\\u001b[31m"),
    ("CSI clear line, cursor up", "\x1b[2K\x1b[1A", "\\x1b[2K\\x1b[1A", "\\u001b[2K\\u001b[1A"),
    ("CSI clear screen", "\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H", "\\u001b[2J\\u001b[H"),
    (
        "OSC hyperlink",
        "\x1b]8;;https://example.invalid\x07click\x1b]8;;\x07",
        "\\x1b]8;;https://example.invalid\\x07click\\x1b]8;;\\x07",
        "\\u001b]8;;https://example.invalid\\u0007click\\u001b]8;;\\u0007",
    ),
    ("OSC window title", "\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07", "\\u001b]0;pwned\\u0007"),
    ("C1 CSI", "\x9b2J", "\\x9b2J", "\\x9b2J"),
    ("C1 NEL", "\x85", "\\x85", "\\x85"),
    ("DEL", "\x7f", "\\x7f", "\\x7f"),
    *[(f"U+{c:04X}", chr(c), f"\\u{c:04x}", f"\\u{c:04x}") for c in range(0x202A, 0x202F)],
    *[(f"U+{c:04X}", chr(c), f"\\u{c:04x}", f"\\u{c:04x}") for c in range(0x2066, 0x206A)],
    *[(f"U+{c:04X}", chr(c), f"\\u{c:04x}", f"\\u{c:04x}") for c in (0x200B, 0x200C, 0x200D)],
    ("U+FEFF", "\ufeff", "\\ufeff", "\\ufeff"),
    ("U+2028", "\u2028", "\\u2028", "\\u2028"),
]
IDS = [label for label, *_ in HOSTILE]
# Any hidden character but a line break (the lines of an output are its own).
RAW = re.compile(f"(?!\n){HIDDEN_RE.pattern}")


def no_raw(text: str) -> None:
    found = RAW.search(text)
    assert found is None, f"raw U+{ord(found.group()):04X} at {found.start()}: {text!r}"


def hostile_state(name: str, h: str) -> TaskState:
    value = f"a{h}b"
    return TaskState(
        name=name,
        task=f"tasks.{value}",
        schedule=IntervalKey(5, "minutes"),
        args=canonical_json([value]),
        kwargs=canonical_json({f"k{h}": value}),
        queue=value,
        exchange=value,
        routing_key=value,
        headers=canonical_json({"h": value}),
        description=value,
    )


def hostile_plan(h: str) -> Plan:
    plain = TaskState(name="updated", task="tasks.print_hello", schedule=IntervalKey(5, "minutes"))
    created = hostile_state("created", h)
    updated = hostile_state("updated", h)
    return Plan(
        changes=(
            Change(Action.CREATE, "created", None, created, Location(f"schedules/a{h}b.yaml", 3)),
            Change(
                Action.UPDATE,
                "updated",
                plain,
                updated,
                Location("schedules/x.yaml", 9),
                fields=("task", "queue", "description"),
            ),
            Change(
                Action.RENAME,
                "renamed",
                plain,
                plain,
                Location("schedules/x.yaml", 12),
                previous_name=f"old{h}name",
            ),
            # A managed row whose name came from elsewhere (an earlier version, the admin).
            Change(Action.DELETE, f"row{h}name", hostile_state(f"row{h}name", h), None),
        ),
        unchanged=0,
        managed=3,
        unmanaged=0,
        declared=3,
    )


def expected_text(e: str, j: str) -> str:
    return f"""\
  + create created  (schedules/a{e}b.yaml:3)
        task: "tasks.a{e}b"
        schedule: every 5 minutes
        args: ["a{j}b"]
        kwargs: {{"k{j}":"a{j}b"}}
        queue: "a{e}b"
        exchange: "a{e}b"
        routing_key: "a{e}b"
        headers: {{"h":"a{j}b"}}
        description: "a{e}b"
  ~ update updated  (schedules/x.yaml:9)
        task: "tasks.print_hello" -> "tasks.a{e}b"
        queue: (none) -> "a{e}b"
        description: "" -> "a{e}b"
  > rename old{e}name -> renamed  (schedules/x.yaml:12)
  - delete row{e}name
        task: "tasks.a{e}b"
        schedule: every 5 minutes

Plan: 1 to create, 1 to update, 1 to rename, 0 to adopt, 1 to delete; 0 unchanged, 0 unmanaged left alone.
"""


# --- the escape ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "h", "e", "j"), HOSTILE, ids=IDS)
def test_each_hidden_character_has_a_visible_escape(label, h, e, j):
    assert escape(f"a{h}b") == f"a{e}b"
    assert quoted(f'"{h}\\') == f'"\\"{e}\\\\"'  # quotes and backslashes as JSON writes them
    assert find_hidden(f"ab{h}") == (2, h[0])


def test_plain_strings_are_returned_as_they_are():
    for text in (
        "tasks.print_hello",
        "Bericht für das Team",
        "東京タワー",
        "p\u0430yments",
        "a\\nb",
        "",
    ):
        assert escape(text) is text
    lines = ["  + create x", '        description: "plain"']
    assert escape_lines(lines) is lines  # one check of all the lines: nothing to escape
    assert escape_lines([*lines, "für"]) == [*lines, "für"]


@given(st.lists(st.text(max_size=30), max_size=8))
def test_escaped_text_holds_no_hidden_character_and_nothing_else_changes(lines):
    escaped = escape_lines(lines)
    assert escaped == [escape(line) for line in lines]
    for line, out in zip(lines, escaped, strict=True):
        assert HIDDEN_RE.search(out) is None
        assert (out == line) == (HIDDEN_RE.search(line) is None)


# --- the plan ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "h", "e", "j"), HOSTILE, ids=IDS)
def test_plan_text_shows_every_field_escaped(label, h, e, j):
    text = render.plan_text(hostile_plan(h))
    assert text == expected_text(e, j)
    no_raw(text)


@pytest.mark.parametrize(("label", "h", "e", "j"), HOSTILE, ids=IDS)
def test_colors_come_from_the_renderer_only(label, h, e, j):
    text = render.plan_text(hostile_plan(h), color=True)
    no_raw(text.replace("\x1b[0m", "").replace("\x1b[32m", "").replace("\x1b[33m", "")
           .replace("\x1b[36m", "").replace("\x1b[31m", ""))  # fmt: skip
    assert re.sub(r"\x1b\[\d+m", "", text) == expected_text(e, j)
    assert text.count("\x1b[0m") == 4  # one painted symbol per change, and nothing else


@pytest.mark.parametrize(("label", "h", "e", "j"), HOSTILE, ids=IDS)
def test_markdown_is_the_text_plan_in_a_fence(label, h, e, j):
    assert render.plan_markdown(hostile_plan(h)) == f"```text\n{expected_text(e, j)}```\n"


def test_previews_are_escaped_too():
    plan = hostile_plan("")
    preview = Preview(description="every 5 minutes\u202e", timezone="UTC", next_runs=())
    text = render.plan_text(plan, previews={"created": ChangePreview(None, preview)})
    assert (
        "        runs after (counted from the apply): every 5 minutes\\u202e\n"
        "            (no run in the foreseeable future)\n"
    ) in text


@pytest.mark.parametrize(
    ("content", "fence"),
    [
        ("no backticks", "```"),
        ("a `code` span", "```"),
        ("```", "````"),
        ("x\n```\n<!-- hidden", "````"),
        ("``````` seven", "````````"),
    ],
)
def test_the_fence_is_longer_than_any_backtick_run(content, fence):
    plan = Plan(
        (Change(Action.CREATE, "x", None, TaskState("x", "t", IntervalKey(1, "hours"), description=content)),),
        0, 0, 0, 1,
    )  # fmt: skip
    markdown = render.plan_markdown(plan)
    assert markdown.startswith(f"{fence}text\n") and markdown.endswith(f"\n{fence}\n")
    inner = markdown[len(fence) + 5 : -len(fence) - 1]
    assert inner == render.plan_text(plan)
    # No line inside closes the fence: none is only backticks, as many as the fence's.
    assert not any(re.fullmatch(rf" {{0,3}}`{{{len(fence)},}}\s*", ln) for ln in inner.splitlines())


@pytest.mark.parametrize(("label", "h", "e", "j"), HOSTILE, ids=IDS)
def test_the_json_plan_keeps_the_exact_strings_and_its_checksum(label, h, e, j):
    plan = hostile_plan(h)
    text = render.plan_json(plan)
    assert text.isascii()  # every character but printable ASCII is a JSON escape
    data = json.loads(text)
    created = data["changes"][0]["after"]
    assert created["description"] == created["queue"] == f"a{h}b"
    assert created["kwargs"] == {f"k{h}": f"a{h}b"}
    assert data["changes"][0]["source"] == f"schedules/a{h}b.yaml:3"
    assert data["changes"][3]["name"] == f"row{h}name"
    payload = {
        "changes": [{**c.to_json(), "spec_hash": c.spec_hash} for c in plan.changes],
        "ledger_refresh": [],
    }
    assert (
        data["checksum"] == hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    )


# --- logs ----------------------------------------------------------------------------------------


def _record(h: str) -> logging.LogRecord:
    record = logging.makeLogRecord(
        {"name": "syncer.watch", "levelname": "WARNING", "levelno": 30, "created": 0.0}
    )
    record.msg, record.args = "lint: %s", (f"a{h}b",)
    record.task = f"t{h}"
    record.problems = [f"p{h}"]
    return record


@pytest.mark.parametrize(("label", "h", "e", "j"), HOSTILE, ids=IDS)
def test_text_logs_escape_the_message_and_write_fields_as_ascii_json(label, h, e, j):
    line = TextFormatter().format(_record(h))
    task, problems = line.removeprefix(f"00:00:00 warning lint: a{e}b task=").split(" problems=")
    assert line.isascii() and (json.loads(task), json.loads(problems)) == (f"t{h}", [f"p{h}"])


@pytest.mark.parametrize(("label", "h", "e", "j"), HOSTILE, ids=IDS)
def test_json_logs_escape_every_character_but_printable_ascii(label, h, e, j):
    line = JsonFormatter().format(_record(h))
    assert line.isascii() and "\n" not in line
    data = json.loads(line)
    assert (data["message"], data["task"], data["problems"]) == (f"lint: a{h}b", f"t{h}", [f"p{h}"])


# --- validate, status, export, import: the CLI -------------------------------------------------


def test_validate_escapes_paths_fields_and_quoted_values(tmp_path, capsys, monkeypatch):
    (tmp_path / "a\x1b[31m.yaml").write_text(
        "tasks:\n"
        "  one:\n"
        '    task: "tasks.print\\e[2Khello"\n'
        "    every: 1m\n"
        "  two:\n"
        "    task: tasks.print_hello\n"
        '    cron: {"minu\\u202Ete": "5"}\n'
        "  three:\n"
        "    task: tasks.print_hello\n"
        '    every: "5\\u2066m"\n',
        encoding="utf-8",
    )
    code, out, err = run_cli(capsys, monkeypatch, tmp_path, "validate", ".")
    assert (code, out) == (1, "")
    assert err == (
        "a\\x1b[31m.yaml:3:5: task 'one': task: 'tasks.print\\x1b[2Khello' is not a task "
        "registered in the Celery app (did you mean 'tasks.print_hello'?)\n"
        "a\\x1b[31m.yaml:7:12: task 'two': cron.minu\\u202ete: unknown key 'minu\\u202ete' "
        "(did you mean 'minute'?)\n"
        "a\\x1b[31m.yaml:10:5: task 'three': every: cannot read '5\\u2066m' as a duration "
        "(examples: 30s, 90 seconds, 5m, 1h30m, 250ms)\n"
        "error: 3 problems in 1 file; nothing was changed\n"
    )
    code, out, _ = run_cli(capsys, monkeypatch, tmp_path, "validate", ".", "-o", "json")
    problems = json.loads(out)["problems"]
    assert out.isascii() and {p["path"] for p in problems} == {"a\x1b[31m.yaml"}
    assert problems[1]["field"] == "cron.minu\u202ete"


@pytest.mark.django_db
def test_status_escapes_live_names(tmp_path, capsys, monkeypatch):
    (tmp_path / "a.yaml").write_text("tasks: {}\n")
    every = IntervalSchedule.objects.create(every=7, period="days")
    for name in ("made\nin the admin", "rtl\u202eoverride", "\x1b[2Jclear"):
        PeriodicTask.objects.create(name=name, task="tasks.print_hello", interval=every)
    code, out, err = run_cli(capsys, monkeypatch, tmp_path, "status", ".")
    assert code == 0, err
    assert "Unmanaged:   3 tasks (\\x1b[2Jclear, made\\nin the admin, rtl\\u202eoverride)\n" in out
    no_raw(out)
    code, out, _ = run_cli(capsys, monkeypatch, tmp_path, "status", ".", "-o", "json")
    assert out.isascii() and "made\nin the admin" in json.loads(out)["unmanaged"]


@pytest.mark.django_db
def test_export_refuses_a_hidden_name_and_escapes_the_rest(tmp_path, capsys, monkeypatch):
    every = IntervalSchedule.objects.create(every=7, period="days")
    PeriodicTask.objects.create(
        name="innocent\n  - delete production-billing", task="tasks.print_hello", interval=every
    )
    PeriodicTask.objects.create(
        name="kept",
        task="tasks.print_hello",
        interval=every,
        description="a\u202eb\u200bc\x1b[2J\nnext",
        kwargs=json.dumps({"k\u2066": "v\x9b"}),
    )
    code, out, err = run_cli(capsys, monkeypatch, tmp_path, "export")
    assert (code, out) == (1, "")
    assert err == (
        "database: task 'innocent\\n  - delete production-billing': task name contains U+000A "
        "(LINE FEED) at character 9\n"
        "error: 1 tasks cannot be written exactly as schedule files (see above); nothing was "
        "written. --skip-unrepresentable writes the others\n"
    )
    code, out, err = run_cli(capsys, monkeypatch, tmp_path, "export", "--skip-unrepresentable")
    assert code == 0, err
    assert err.endswith("exported 1 tasks to stdout\n")
    # The file a reviewer reads shows each hidden character as a YAML escape, in double quotes.
    assert '    kwargs: {"k\\u2066": "v\\x9B"}\n' in out
    assert '    description: "a\\u202Eb\\u200Bc\\e[2J\\nnext"\n' in out
    no_raw(out)
    no_raw(err)


@pytest.mark.django_db
def test_import_beat_schedule_refuses_a_hidden_name_per_entry(tmp_path, capsys, monkeypatch):
    (tmp_path / "celeryconfig.py").write_text(
        "beat_schedule = {\n"
        '    "fine": {"task": "tasks.print_hello", "schedule": 60.0},\n'
        '    "bad\\u202ename": {"task": "tasks.print_hello", "schedule": 60.0},\n'
        '    "also\\x1b[2Jbad": {"task": "tasks.print_hello", "schedule": 60.0},\n'
        "}\n"
    )
    sys.modules.pop("celeryconfig", None)
    code, out, err = run_cli(
        capsys, monkeypatch, tmp_path, "import-beat-schedule", "celeryconfig.py"
    )
    assert (code, out) == (1, "")
    assert err == (
        "celeryconfig.py:beat_schedule: task 'also\\x1b[2Jbad': task name contains U+001B "
        "(ESCAPE) at character 5\n"
        "celeryconfig.py:beat_schedule: task 'bad\\u202ename': task name contains U+202E "
        "(RIGHT-TO-LEFT OVERRIDE) at character 4\n"
        "error: 2 beat_schedule entries cannot be represented as django-celery-beat rows (see "
        "above); nothing was written\n"
    )
    assert not list(Path(tmp_path).glob("*.yaml"))


# --- names that look alike: warnings -------------------------------------------------------------


def test_look_alike_and_mixed_script_names_are_warned_about(tmp_path, capsys, monkeypatch):
    hello = "    task: tasks.print_hello\n    every: 1m\n"
    (tmp_path / "a.yaml").write_text(
        f"tasks:\n  payments:\n{hello}  paypal:\n{hello}  Bericht-für-Team:\n{hello}"
        f"  東京タワー:\n{hello}",
        encoding="utf-8",
    )
    (tmp_path / "b.yaml").write_text(
        f'tasks:\n  "p\\u0430yments":\n{hello}  paypa1:\n{hello}  "\\u03B1bc":\n{hello}',
        encoding="utf-8",
    )
    code, out, err = run_cli(capsys, monkeypatch, tmp_path, "validate", ".")
    assert (code, out) == (0, "2 files, 7 tasks: valid\n")
    assert err == (
        "b.yaml:2:3: task 'p\u0430yments': warning: task name looks like task 'payments' "
        "(a.yaml:2:3): they differ at character 2, U+0430 (CYRILLIC SMALL LETTER A) here, "
        "U+0061 (LATIN SMALL LETTER A) there\n"
        "b.yaml:2:3: task 'p\u0430yments': warning: task name mixes scripts: U+0430 (CYRILLIC "
        "SMALL LETTER A) at character 2 is Cyrillic, the letters before it Latin\n"
        "b.yaml:5:3: task 'paypa1': warning: task name looks like task 'paypal' (a.yaml:5:3): "
        "they differ at character 6, U+0031 (DIGIT ONE) here, U+006C (LATIN SMALL LETTER L) "
        "there\n"
        "b.yaml:8:3: task '\u03b1bc': warning: task name mixes scripts: U+0062 (LATIN SMALL "
        "LETTER B) at character 2 is Latin, the letters before it Greek\n"
    )
    code, _, err = run_cli(capsys, monkeypatch, tmp_path, "validate", ".", "--strict")
    assert code == 1 and err.endswith("error: 4 problems in 1 file; nothing was changed\n")


def test_problem_lines_stay_one_line():
    problem = Problem(Location("a\nb.yaml", 1, 2), "x\u2028y", task="t\rz", field="f\x85")
    assert str(problem) == "a\\nb.yaml:1:2: task 't\\rz': f\\x85: x\\u2028y"
