from syncer.core.context import Context
from tests.helpers import KNOWN_TASKS, desired_from, messages

FILE = """\
defaults:
  queue: ${QUEUE:-default-queue}
tasks:
  report-${ENV:-x}:
    task: tasks.write_to_file
    every: ${EVERY-5m}
    kwargs: {path: "${REPORT_DIR}/report.txt", price: "$$5", nested: ["${ENV}"]}
"""


def context(**environ: str) -> Context:
    return Context("UTC", KNOWN_TASKS, environ=environ)


def test_values_come_from_the_environment_and_defaults(tmp_path):
    desired = desired_from(tmp_path, {"a.yaml": FILE}, context(ENV="prod", REPORT_DIR="/srv"))
    assert desired.problems == []
    [task] = desired.tasks.values()
    assert task.state.name == "report-${ENV:-x}"  # keys are never interpolated
    assert task.state.queue == "default-queue"
    assert task.state.schedule.every == 5 and task.state.schedule.period == "minutes"
    assert task.state.kwargs == '{"nested":["prod"],"path":"/srv/report.txt","price":"$5"}'


def test_empty_value_takes_the_colon_default_only(tmp_path):
    desired = desired_from(
        tmp_path, {"a.yaml": FILE}, context(ENV="p", REPORT_DIR="/r", QUEUE="", EVERY="")
    )
    [problem] = desired.problems  # EVERY is set but empty: ${EVERY-5m} keeps the empty value
    assert "every" in str(problem)
    [task] = desired_from(
        tmp_path, {"a.yaml": FILE}, context(ENV="p", REPORT_DIR="/r", QUEUE="")
    ).tasks.values()
    assert task.state.queue == "default-queue"


def test_missing_variables_are_reported_with_their_position(tmp_path):
    desired = desired_from(tmp_path, {"a.yaml": FILE}, context())
    assert messages(desired, tmp_path) == [
        "a.yaml:7:14: task 'report-${ENV:-x}': kwargs.path: environment variable 'REPORT_DIR' is "
        "not set (set it, or write ${REPORT_DIR:-default})",
        "a.yaml:7:62: task 'report-${ENV:-x}': kwargs.nested.0: environment variable 'ENV' is "
        "not set (set it, or write ${ENV:-default})",
    ]
    assert desired.tasks == {}
