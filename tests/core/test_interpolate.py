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


TYPED = """\
defaults:
  enabled: ${ENABLED:-true}
tasks:
  a:
    task: tasks.print_hello
    every: ${EVERY:-300}
    priority: ${PRIO:-5}
    expire_seconds: "${TTL:-60}"
    one_off: ${ONCE:-No}
    description: ${PRIO:-5}
    queue: q-${PRIO:-5}
"""


def test_a_whole_reference_takes_the_type_of_its_key(tmp_path):
    desired = desired_from(tmp_path, {"a.yaml": TYPED}, context())
    assert desired.problems == []
    state = desired.tasks["a"].state
    assert (state.priority, state.expire_seconds) == (5, 60)
    assert state.enabled is True and state.one_off is False
    assert state.description == "5" and state.queue == "q-5"  # strings stay strings
    assert (state.schedule.every, state.schedule.period) == (5, "minutes")


def test_booleans_take_yaml_like_spellings(tmp_path):
    for spelling, value in (("TRUE", True), ("off", False), ("Yes", True), ("no", False)):
        desired = desired_from(tmp_path, {"a.yaml": TYPED}, context(ENABLED=spelling))
        assert desired.tasks["a"].state.enabled is value, spelling


def test_a_value_that_is_not_of_its_key_type_is_an_error(tmp_path):
    desired = desired_from(tmp_path, {"a.yaml": TYPED}, context(PRIO="high", ENABLED="maybe"))
    assert messages(desired, tmp_path) == [
        "a.yaml:2:3: defaults.enabled: 'maybe' (from ${ENABLED:-true}) is not a boolean "
        "(true/false, yes/no, on/off)",
        "a.yaml:7:5: task 'a': priority: 'high' (from ${PRIO:-5}) is not an integer",
    ]


def test_malformed_references_are_errors_with_their_position(tmp_path):
    files = {
        "a.yaml": """\
tasks:
  a:
    task: tasks.print_hello
    every: 1m
    queue: ${Q
    description: "cost: $${literal} ${1X} ${A B}"
    kwargs: {k: "${OK:-fine}"}
"""
    }
    assert messages(desired_from(tmp_path, files, context()), tmp_path) == [
        "a.yaml:5:5: task 'a': queue: '${' is not closed (write $${ for a literal '${')",
        "a.yaml:6:5: task 'a': description: '${1X}': not a variable name (letters, digits and _, "
        "not starting with a digit; write $${ for a literal '${')",
        "a.yaml:6:5: task 'a': description: '${A B}': not a variable name (letters, digits and "
        "_, not starting with a digit; write $${ for a literal '${')",
    ]
