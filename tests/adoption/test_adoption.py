"""A team adopts beat-sync: the built wheel in a fresh virtual environment, a project made with
``django-admin startproject`` and a Celery app of its own (not this repository's), the two
INSTALLED_APPS lines, ``migrate``, then every command a team runs, on SQLite, PostgreSQL and
MariaDB: validate, plan, apply, status, the management command, one ``watch`` reconcile, the
admin page of a declared task, the REST API's 409, and two applies at the same time.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest

from tests.adoption.conftest import Database

pytestmark = pytest.mark.adoption

SETTINGS_TAIL = """
# --- added by the team adopting beat-sync ---
INSTALLED_APPS += ["rest_framework", "django_celery_beat", "syncer", "billing"]
DATABASES = {{"default": {database}}}
USE_TZ = True
CELERY_TIMEZONE = "Europe/Berlin"
# Nothing listens there: a command that connected to the broker would hang in retries.
CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"
"""
CELERY_APP = """\
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
"""
BILLING_TASKS = """\
from celery import shared_task


@shared_task
def send_invoices(region="eu"):
    return region


@shared_task
def close_books():
    return "closed"
"""
SCHEDULE = """\
tasks:
  send-invoices:
    task: billing.tasks.send_invoices
    every: 10s
    kwargs: {region: eu}
  close-books:
    task: billing.tasks.close_books
    cron: "30 23 * * *"
"""
WEB_CHECK = """\
import json
from django.contrib.auth.models import User
from django.test import Client
from django.test.utils import setup_test_environment
from django_celery_beat.models import PeriodicTask

setup_test_environment()
user = User.objects.create_superuser("admin", "admin@example.com", "pw")
client = Client()
client.force_login(user)
task = PeriodicTask.objects.get(name="send-invoices")
page = client.get(f"/admin/django_celery_beat/periodictask/{task.pk}/change/")
listing = client.get("/api/tasks/")
refused = client.patch(
    f"/api/tasks/{task.pk}/", json.dumps({"enabled": False}), content_type="application/json"
)
print(json.dumps({
    "admin_status": page.status_code,
    "admin_shows_source": "schedules/billing.yaml:2" in page.content.decode(),
    "admin_read_only": 'name="enabled"' not in page.content.decode(),
    "api_status": listing.status_code,
    "api_managed": [t["managed"] for t in listing.json()["results"]],
    "patch_status": refused.status_code,
    "patch_body": refused.json(),
}))
"""


class Project:
    """The adopting team's project, and its commands, run from its directory."""

    def __init__(self, root: Path, venv: Path) -> None:
        self.root = root
        self.bin = venv / "bin"
        self.env = {
            "PATH": f"{self.bin}{os.pathsep}/usr/bin:/bin",
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
        }

    def call(self, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(argv),
            cwd=self.root,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=300,
        )

    def ok(self, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
        result = self.call(*argv, **env)
        assert result.returncode == 0, (argv, result.stdout, result.stderr)
        return result

    def syncer(self, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
        return self.call(str(self.bin / "syncer"), *argv, **env)

    def manage(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return self.ok(str(self.bin / "python"), "manage.py", *argv)

    def status(self) -> dict:
        result = self.syncer("status", "--output", "json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def write_schedule(self, text: str) -> None:
        path = self.root / "schedules" / "billing.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)


def make_project(tmp_path: Path, venv: Path, database: Database) -> Project:
    root = tmp_path / "shop"
    root.mkdir()
    project = Project(root, venv)
    project.ok(str(project.bin / "django-admin"), "startproject", "shop", ".")
    project.manage("startapp", "billing")
    (root / "billing" / "tasks.py").write_text(BILLING_TASKS)
    (root / "shop" / "celery.py").write_text(CELERY_APP)
    (root / "shop" / "__init__.py").write_text("from .celery import app as celery_app\n")
    settings = root / "shop" / "settings.py"
    settings.write_text(settings.read_text() + SETTINGS_TAIL.format(database=database.settings))
    urls = root / "shop" / "urls.py"
    text = urls.read_text().replace(
        "from django.urls import path", "from django.urls import include, path"
    )
    urls.write_text(
        text.replace(
            "path('admin/', admin.site.urls),",
            "path('admin/', admin.site.urls),\n    path('api/', include('syncer.api.urls')),",
        ).replace(
            'path("admin/", admin.site.urls),',
            'path("admin/", admin.site.urls),\n    path("api/", include("syncer.api.urls")),',
        )
    )
    assert "syncer.api.urls" in urls.read_text()
    project.manage("migrate", "--no-input", "-v0")
    project.write_schedule(SCHEDULE)
    return project


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(probe, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}")


def readyz(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return None


def test_a_new_project_adopts_beat_sync(end, venv, database, tmp_path):
    project = make_project(tmp_path, venv, database)

    validate = project.syncer("validate")
    assert validate.returncode == 0, validate.stderr
    assert "1 file, 2 tasks: valid" in validate.stdout

    plan = project.syncer("plan", "--detailed-exitcode")
    assert plan.returncode == 2, plan.stderr
    assert "+ create close-books" in plan.stdout and "+ create send-invoices" in plan.stdout
    assert "Europe/Berlin" in plan.stdout  # the project's Celery time zone, for the bare cron

    apply = project.syncer("apply")
    assert apply.returncode == 0, apply.stderr
    assert "Applied." in apply.stdout
    status = project.status()
    assert status["managed"] == 2 and status["drift"] == {} and status["unmanaged"] == []

    again = project.ok(
        str(project.bin / "python"), "manage.py", "syncer", "plan", "--detailed-exitcode"
    )
    assert "No changes" in again.stdout

    _one_watch_reconcile(project)
    _admin_and_api(project)
    _two_applies_at_once(project)


def _one_watch_reconcile(project: Project) -> None:
    project.write_schedule(SCHEDULE.replace("every: 10s", "every: 20s"))
    port = free_port()
    watch = subprocess.Popen(
        [str(project.bin / "syncer"), "watch", "--metrics-port", str(port), "--log-format", "text"],
        cwd=project.root,
        env=project.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        state = wait_for(
            lambda: (r := readyz(port)) and r.get("state") == "ok" and r, 60, "a reconcile"
        )
        assert state["ready"] is True
    finally:
        os.killpg(watch.pid, signal.SIGTERM)
        output, _ = watch.communicate(timeout=30)
    assert watch.returncode == 0, output
    assert "reconcile ok" in output, output
    plan = project.syncer("plan", "--detailed-exitcode")
    assert plan.returncode == 0, plan.stdout + plan.stderr  # the watcher applied the change


def _admin_and_api(project: Project) -> None:
    result = project.manage("shell", "-c", WEB_CHECK)
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["admin_status"] == 200
    assert seen["admin_shows_source"] and seen["admin_read_only"], seen
    assert seen["api_status"] == 200 and seen["api_managed"] == [True, True]
    assert seen["patch_status"] == 409
    assert seen["patch_body"]["source"] == "schedules/billing.yaml:2"


def _two_applies_at_once(project: Project) -> None:
    """Both processes plan the same change; the apply lock lets one write it, and the other,
    which re-plans under the lock, finds nothing left to do. No row is lost or doubled."""
    project.write_schedule(
        SCHEDULE + "  reminders:\n    task: billing.tasks.send_invoices\n    every: 1h\n"
    )
    env = {**project.env, "SYNCER_FAILPOINT_BEFORE_COMMIT": "2"}
    argv = [str(project.bin / "syncer"), "apply", "--revision", "concurrent"]
    first = subprocess.Popen(
        argv, cwd=project.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    second = subprocess.Popen(
        argv, cwd=project.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    outputs = [p.communicate(timeout=120) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    verbs = sorted(out.strip().splitlines()[-1] for out, _ in outputs)
    assert verbs == ["Applied.", "Nothing to apply."], outputs
    status = project.status()
    assert status["managed"] == 3 and status["pending"]["changes"] is False
    assert status["last_apply"]["revision"] == "concurrent"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, *sys.argv[1:]]))
