from datetime import UTC, datetime

from syncer.core.kinds.clocked import ClockedKey
from syncer.core.kinds.crontab import CrontabKey
from syncer.core.kinds.interval import IntervalKey
from syncer.core.kinds.solar import SolarKey
from tests.helpers import desired_from, messages

EXAMPLE = """\
version: 1
defaults:
  queue: reports
  timezone: Europe/Berlin
tasks:
  print-hello:
    task: tasks.print_hello
    every: 3s
  nightly-report:
    task: tasks.write_to_file
    cron: "0 3 * * mon-fri"
    kwargs: {path: var/report.txt, text: nightly}
  sunset:
    task: tasks.print_hello
    solar: {event: sunset, latitude: 52.52, longitude: 13.405}
    queue: evening
  once:
    task: tasks.print_hello
    clocked: 2026-12-24T18:00:00+01:00
"""


def test_the_documented_example(tmp_path):
    desired = desired_from(tmp_path, {"a.yaml": EXAMPLE})
    assert desired.problems == []
    tasks = desired.tasks
    assert tasks["print-hello"].state.schedule == IntervalKey(3, "seconds")
    assert tasks["print-hello"].state.queue == "reports"  # from defaults
    assert tasks["nightly-report"].state.schedule == CrontabKey(
        "0", "3", "*", "*", "mon-fri", "Europe/Berlin"
    )
    assert tasks["nightly-report"].state.kwargs == '{"path":"var/report.txt","text":"nightly"}'
    assert tasks["sunset"].state.schedule == SolarKey("sunset", "52.520000", "13.405000")
    assert tasks["sunset"].state.queue == "evening"
    assert tasks["once"].state.schedule == ClockedKey(datetime(2026, 12, 24, 17, tzinfo=UTC))
    assert tasks["once"].state.one_off is True
    assert str(tasks["nightly-report"].source).endswith("a.yaml:9:3")


def test_cron_timezone_defaults_to_the_project_timezone(tmp_path):
    desired = desired_from(
        tmp_path, {"a.yaml": "tasks:\n  t:\n    task: tasks.print_hello\n    cron: '@daily'\n"}
    )
    assert desired.tasks["t"].state.schedule.timezone == "UTC"


def test_every_problem_in_every_file_is_reported_with_its_position(tmp_path):
    desired = desired_from(
        tmp_path,
        {
            "a.yaml": """\
            tasks:
              bad-task:
                task: tasks.print_helo
                evry: 3s
              zero:
                task: tasks.print_hello
                every: 0
              two:
                task: tasks.print_hello
                every: 3s
                cron: "* * * * *"
              none:
                task: tasks.print_hello
              cronbad:
                task: tasks.print_hello
                cron: {minute: 0, hour: '0, 6', day_of_week: monday}
              tz:
                task: tasks.print_hello
                cron: "0 0 * * *"
                timezone: Mars/Olympus
              prio:
                task: tasks.print_hello
                every: 1m
                priority: 256
              exp:
                task: tasks.print_hello
                every: 1m
                expires: 2030-01-01T00:00:00Z
                expire_seconds: 10
              naive:
                task: tasks.print_hello
                clocked: 2030-01-01T00:00:00
              shared:
                task: tasks.print_hello
                every: 1m
            """,
            "b.yaml": """\
            tasks:
              shared:
                task: tasks.print_hello
                every: 2m
            """,
        },
    )
    assert messages(desired, tmp_path) == [
        "a.yaml:3:5: task 'bad-task': task: 'tasks.print_helo' is not a task registered in the "
        "Celery app (did you mean 'tasks.print_hello'?)",
        "a.yaml:4:5: task 'bad-task': evry: unknown key 'evry' (did you mean 'every'?)",
        "a.yaml:7:5: task 'zero': every: must be greater than zero",
        "a.yaml:8:3: task 'two': exactly one of every, cron, solar, clocked is required "
        "(found: every, cron)",
        "a.yaml:12:3: task 'none': exactly one of every, cron, solar, clocked is required",
        "a.yaml:16:23: task 'cronbad': cron.hour: '0, 6' is accepted by Celery but not by "
        "django-celery-beat (no spaces inside a field); write '0,6' instead",
        "a.yaml:16:37: task 'cronbad': cron.day_of_week: 'monday' is accepted by Celery but not "
        "by django-celery-beat (Unrecognised Day of Week: 'monday'); write 'mon' instead",
        "a.yaml:20:5: task 'tz': timezone: unknown time zone 'Mars/Olympus' (use an IANA name "
        "such as Europe/Berlin)",
        "a.yaml:24:5: task 'prio': priority: Input should be less than or equal to 255",
        "a.yaml:25:3: task 'exp': set expires or expire_seconds, not both",
        "a.yaml:32:5: task 'naive': clocked: Input should have timezone info",
        "b.yaml:2:3: task 'shared': duplicate task name: already declared at a.yaml:33:3",
    ]
    assert set(desired.tasks) == {"shared"}


def test_file_level_problems(tmp_path):
    desired = desired_from(
        tmp_path,
        {
            "empty.yaml": "# nothing\n",
            "list.yaml": "- a\n",
            "version.yaml": "version: 2\ntasks: {}\n",
            "typo.yaml": "taks: {}\n",
            "name.yaml": "tasks:\n  123:\n    task: tasks.print_hello\n    every: 1s\n",
        },
    )
    assert messages(desired, tmp_path) == [
        "empty.yaml:1:1: file is empty: expected a mapping with a 'tasks' key",
        "list.yaml:1:1: expected a mapping with a 'tasks' key at the top level",
        f"name.yaml:2:3: task '123': task name {123} must be a string (quote it)",
        "typo.yaml:1:1: missing key 'tasks'",
        "typo.yaml:1:1: taks: unknown key 'taks' (did you mean 'tasks'?)",
        "version.yaml:1:1: version: unsupported version 2 (1 is the only version)",
    ]


def test_defaults_errors_point_at_the_defaults_block(tmp_path):
    desired = desired_from(
        tmp_path,
        {
            "a.yaml": "defaults:\n  priority: 300\ntasks:\n  t:\n    task: tasks.print_hello\n    every: 1s\n"
        },
    )
    assert messages(desired, tmp_path) == [
        "a.yaml:2:3: defaults.priority: Input should be less than or equal to 255"
    ]


def test_timezone_on_an_interval_is_an_error_but_a_default_timezone_is_not(tmp_path):
    desired = desired_from(
        tmp_path,
        {
            "a.yaml": """\
            defaults: {timezone: Europe/Berlin}
            tasks:
              a: {task: tasks.print_hello, every: 1s}
              b: {task: tasks.print_hello, every: 1s, timezone: UTC}
            """
        },
    )
    assert messages(desired, tmp_path) == [
        "a.yaml:4:43: task 'b': timezone: timezone applies to cron schedules only"
    ]


def test_previous_names_conflicts(tmp_path):
    desired = desired_from(
        tmp_path,
        {
            "a.yaml": """\
            tasks:
              a: {task: tasks.print_hello, every: 1s, previous_names: [old]}
              b: {task: tasks.print_hello, every: 1s, previous_names: [old, a]}
            """
        },
    )
    assert messages(desired, tmp_path) == [
        "a.yaml:3:3: task 'b': previous_names: previous name 'a' is still declared (at a.yaml:2:3)",
        "a.yaml:3:3: task 'b': previous_names: previous name 'old' is also claimed by task 'a'",
    ]


def test_yaml_booleans_and_wrong_types_are_reported(tmp_path):
    desired = desired_from(
        tmp_path,
        {
            "a.yaml": "tasks:\n  t:\n    task: tasks.print_hello\n    every: 1s\n    enabled: 'yes'\n    args: {a: 1}\n"
        },
    )
    assert messages(desired, tmp_path) == [
        "a.yaml:5:5: task 't': enabled: Input should be a valid boolean",
        "a.yaml:6:5: task 't': args: Input should be a valid list",
    ]
