"""Bad input is a 400 naming the field (or a 404/415), never a 500, and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import HELLO, interval_body, snapshot

pytestmark = pytest.mark.django_db

HUGE = 10**40


def cron(**fields: Any) -> dict[str, Any]:
    return {"name": "c", "task": HELLO, "schedule": {"kind": "crontab", **fields}}


BAD_BODIES: list[tuple[str, dict[str, Any], str]] = [
    ("missing name", {"task": HELLO, "schedule": {"kind": "interval", "every": 1, "period": "seconds"}}, "name"),
    ("missing schedule", {"name": "x", "task": HELLO}, "schedule"),
    ("null name", interval_body(None), "name"),  # type: ignore[arg-type]
    ("null task", {**interval_body("x"), "task": None}, "task"),
    ("null schedule", {**interval_body("x"), "schedule": None}, "schedule"),
    ("name too long", interval_body("n" * 201), "name"),
    ("NUL in name", interval_body("a\x00b"), "name"),
    ("lone surrogate in name", interval_body("a\ud800b"), "name"),
    ("unknown task", {**interval_body("x"), "task": "tasks.missing"}, "task"),
    ("task not a string", {**interval_body("x"), "task": 12}, "task"),
    ("schedule a list", {**interval_body("x"), "schedule": [1, 2]}, "schedule"),
    ("schedule a string", {**interval_body("x"), "schedule": "every 5s"}, "schedule"),
    ("schedule without kind", {**interval_body("x"), "schedule": {"every": 5}}, "schedule"),
    ("unknown kind", {**interval_body("x"), "schedule": {"kind": "solar"}}, "schedule"),
    ("kind a list", {**interval_body("x"), "schedule": {"kind": ["interval"]}}, "schedule"),
    ("interval zero", interval_body("x", every=0), "schedule"),
    ("interval negative", interval_body("x", every=-1), "schedule"),
    ("interval huge", interval_body("x", every=HUGE), "schedule"),
    ("interval a string", interval_body("x", every="ten"), "schedule"),  # type: ignore[arg-type]
    ("interval too long for beat", interval_body("x", every=2_000_000, period="days"), "schedule"),
    ("unknown period", interval_body("x", period="weeks"), "schedule"),
    ("cron minute 61", cron(minute="61"), "schedule"),
    ("cron day name", cron(day_of_week="monday"), "schedule"),
    ("cron never fires", cron(minute="0", hour="0", day_of_month="31", month_of_year="2"), "schedule"),
    ("cron field too long", cron(minute="1," * 200 + "1"), "schedule"),
    ("cron empty field", cron(hour=""), "schedule"),
    ("unknown time zone", cron(timezone="Mars/Olympus"), "schedule"),
    ("time zone path", cron(timezone="../../etc/passwd"), "schedule"),
    ("args an object", {**interval_body("x"), "args": {"a": 1}}, "args"),
    ("kwargs a list", {**interval_body("x"), "kwargs": [1]}, "kwargs"),
    ("headers a string", {**interval_body("x"), "headers": "{}"}, "headers"),
    ("surrogate in args", {**interval_body("x"), "args": ["\udc00"]}, "args"),
    ("priority huge", {**interval_body("x"), "priority": HUGE}, "priority"),
    ("priority 256", {**interval_body("x"), "priority": 256}, "priority"),
    ("priority a string", {**interval_body("x"), "priority": "high"}, "priority"),
    ("expire_seconds huge", {**interval_body("x"), "expire_seconds": 2**31}, "expire_seconds"),
    ("expire_seconds negative", {**interval_body("x"), "expire_seconds": -1}, "expire_seconds"),
    ("enabled not a bool", {**interval_body("x"), "enabled": "maybe"}, "enabled"),
    ("enabled null", {**interval_body("x"), "enabled": None}, "enabled"),
    ("expires not a date", {**interval_body("x"), "expires": "tomorrow"}, "expires"),
    ("expires out of range", {**interval_body("x"), "expires": "9999-12-31T23:59:59-05:00"}, "expires"),
    ("start_time a number", {**interval_body("x"), "start_time": 12}, "start_time"),
    ("both expiries", {**interval_body("x"), "expires": "2030-01-01T00:00:00Z", "expire_seconds": 5}, "expire_seconds"),
    ("queue too long", {**interval_body("x"), "queue": "q" * 201}, "queue"),
    ("queue a list", {**interval_body("x"), "queue": ["q"]}, "queue"),
    ("description a dict", {**interval_body("x"), "description": {}}, "description"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "body", "field"), BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
def test_bad_bodies_are_400s_naming_the_field(api, make_task, case, body, field):
    target = make_task("target")
    before = snapshot()
    text = json.dumps(body)  # ASCII: lone surrogates travel as escapes, as any client sends them
    for method, path in (("post", "/api/tasks/"), ("put", f"/api/tasks/{target['id']}/")):
        response = getattr(api, method)(path, text, content_type="application/json")
        assert response.status_code == 400, (method, response.content)
        assert field in response.json(), response.json()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"null", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'"just a string"', "application/json", 400),
        (b'{"name": NaN}', "application/json", 400),
        (b'{"name": "x", "task": "tasks.print_hello", "args": [1e400]}', "application/json", 400),
        (b"\xff\xfe\x00", "application/json", 400),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400),
        (b'{"n": ' + b"9" * 5000 + b"}", "application/json", 400),
        (b"name=x", "text/plain", 415),
        (b"<task/>", "application/xml", 415),
    ],
)
def test_unreadable_bodies_are_4xx(api, make_task, body, content_type, status):
    target = make_task("target")
    before = snapshot()
    for method, path in (
        ("post", "/api/tasks/"),
        ("put", f"/api/tasks/{target['id']}/"),
        ("patch", f"/api/tasks/{target['id']}/"),
        ("post", "/api/create"),
        ("post", "/api/update"),
    ):
        response = getattr(api, method)(path, body, content_type=content_type)
        assert response.status_code == status, (method, path, response.content[:200])
    assert snapshot() == before


@pytest.mark.parametrize(
    "task_id", ["987654", "0", "-1", "abc", "1.5", str(2**31), str(2**63), str(HUGE)]
)
def test_unknown_ids_are_json_404s(api, task_id):
    for method in ("get", "put", "patch", "delete"):
        response = getattr(api, method)(f"/api/tasks/{task_id}/", interval_body("x"), format="json")
        assert response.status_code == 404, (method, response.content)
        assert response.json()["detail"]


def test_an_empty_body_is_missing_fields_but_an_empty_patch(api, make_task):
    target = make_task("target")
    assert "name" in api.post("/api/tasks/", b"", content_type="application/json").json()
    response = api.patch(f"/api/tasks/{target['id']}/", b"", content_type="application/json")
    assert (
        response.status_code == 200
        and response.json() == api.get(f"/api/tasks/{target['id']}/").json()
    )


def test_control_characters_in_json_fields_are_stored_escaped(api):
    body = {**interval_body("nul"), "kwargs": {"a": "b\x00"}, "args": ["\x01"]}
    response = api.post("/api/tasks/", body, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["kwargs"], response.json()["args"]) == ({"a": "b\x00"}, ["\x01"])


def test_duplicate_name_is_a_400_on_create_and_rename(api, make_task):
    make_task("taken")
    other = make_task("other")
    response = api.post("/api/tasks/", interval_body("taken"), format="json")
    assert response.status_code == 400 and "already exists" in response.json()["name"][0]
    response = api.patch(f"/api/tasks/{other['id']}/", {"name": "taken"}, format="json")
    assert response.status_code == 400 and "name" in response.json()


def test_patch_cannot_leave_both_expiries_set(api, make_task):
    task = make_task("expiring", expires="2030-01-01T00:00:00Z")
    response = api.patch(f"/api/tasks/{task['id']}/", {"expire_seconds": 60}, format="json")
    assert response.status_code == 400 and "expire_seconds" in response.json()
    response = api.patch(
        f"/api/tasks/{task['id']}/", {"expires": None, "expire_seconds": 60}, format="json"
    )
    assert response.status_code == 200 and response.json()["expire_seconds"] == 60


def test_errors_name_nested_schedule_fields(api):
    response = api.post("/api/tasks/", cron(minute="61", day_of_week="monday"), format="json")
    errors = response.json()["schedule"]
    assert set(errors) == {"minute", "day_of_week"}
    assert "'mon'" in errors["day_of_week"][0]  # the spelling django-celery-beat accepts


HIDDEN_NAMES = [
    ("innocent\n  - delete production-billing", "U+000A (LINE FEED) at character 9"),
    ("\x1b[31mred", "U+001B (ESCAPE) at character 1"),
    ("c1\x9b2J", "U+009B (CONTROL SEQUENCE INTRODUCER) at character 3"),
    ("gnillib\u202eyllaer", "U+202E (RIGHT-TO-LEFT OVERRIDE) at character 8"),
    ("a\u2066b", "U+2066 (LEFT-TO-RIGHT ISOLATE) at character 2"),
    ("bill\u200bing", "U+200B (ZERO WIDTH SPACE) at character 5"),
    ("bill\ufeffing", "U+FEFF (ZERO WIDTH NO-BREAK SPACE) at character 5"),
]


@pytest.mark.parametrize(("name", "where"), HIDDEN_NAMES, ids=[w for _, w in HIDDEN_NAMES])
def test_a_name_with_a_hidden_character_is_a_400_with_the_files_message(
    api, make_task, name, where
):
    """The same rule as the schedule files (syncer.core.rules.name_problem), on every write."""
    target = make_task("target")
    before = snapshot()
    expected = {"name": [f"task name contains {where}"]}
    for method, path, body in (
        ("post", "/api/tasks/", interval_body(name)),
        ("put", f"/api/tasks/{target['id']}/", interval_body(name)),
        ("patch", f"/api/tasks/{target['id']}/", {"name": name}),
        ("post", "/api/create", {"interval": 5, "period_choice": "seconds", "name": name, "task": HELLO}),
    ):  # fmt: skip
        response = getattr(api, method)(path, body, format="json")
        assert (response.status_code, response.json()) == (400, expected), (method, path)
    assert snapshot() == before


@pytest.mark.django_db
def test_single_task_writes_refuse_a_hidden_name_too():
    """Below the API: the single-task writes check the same rule (``rules.state_problems``)."""
    from syncer.core.kinds.interval import IntervalKey
    from syncer.core.state import TaskState
    from syncer.db.task_writes import InvalidTask, create_task

    with pytest.raises(InvalidTask) as raised:
        create_task(TaskState("a\u202eb", HELLO, IntervalKey(5, "seconds")))
    assert (raised.value.field, str(raised.value)) == (
        "name",
        "task name contains U+202E (RIGHT-TO-LEFT OVERRIDE) at character 2",
    )
