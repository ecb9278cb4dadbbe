"""The console script in a project that is not this repository's: it finds the project as
``manage.py`` does, and every configuration mistake is one line with the fix, exit 1, no traceback.

Each test writes a small Django project of its own into ``tmp_path`` (a settings module, a Celery
app, a task) and runs ``syncer`` there in a subprocess with a clean environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SYNCER = [sys.executable, "-m", "syncer.cli.main"]
SETTINGS = """\
SECRET_KEY = "not-secret"
USE_TZ = True
TIME_ZONE = "UTC"
INSTALLED_APPS = [{apps}]
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": {db!r}}}}}
CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"   # nothing listens: never connected
"""
CELERY = """\
from celery import Celery

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.task(name="shop.ping")
def ping():
    return "pong"
"""
MANAGE = """\
import os, sys
if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
"""
SCHEDULE = "tasks:\n  ping:\n    task: shop.ping\n    every: 10s\n"
APPS = '"django.contrib.contenttypes", "django.contrib.auth", "django_celery_beat", "syncer"'


def make_project(root: Path, apps: str = APPS, import_app: bool = True) -> Path:
    (root / "shop").mkdir(parents=True)
    (root / "shop" / "settings.py").write_text(
        SETTINGS.format(apps=apps, db=str(root / "db.sqlite3"))
    )
    (root / "shop" / "celery.py").write_text(CELERY)
    init = "from .celery import app as celery_app\n" if import_app else ""
    (root / "shop" / "__init__.py").write_text(init)
    (root / "manage.py").write_text(MANAGE)
    (root / "schedules").mkdir()
    (root / "schedules" / "shop.yaml").write_text(SCHEDULE)
    return root


def clean_env(**extra: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if k in keep}
    repo = str(Path(__file__).resolve().parents[2])
    # The syncer itself is importable (installed); the repository's demo project is not.
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in sys.path if p and p != repo and "/tests" not in p
    )
    env.update(extra)
    return env


def manage(root: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *argv],
        cwd=root,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def migrate(root: Path) -> None:
    result = manage(root, "migrate", "-v0")
    assert result.returncode == 0, result.stderr


def run(cwd: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SYNCER, *argv], cwd=cwd, env=clean_env(**env), capture_output=True, text=True, timeout=120
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "bug in the syncer" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return make_project(tmp_path / "shop-project")


def test_found_from_manage_py_in_the_current_directory(shop):
    result = run(shop, "validate")
    assert result.returncode == 0, result.stderr
    assert "1 file, 1 task: valid" in result.stdout


def test_found_from_the_environment_or_options_elsewhere(shop, tmp_path):
    nothing = run(tmp_path, "validate", str(shop / "schedules"))
    assert "no Django settings" in one_line_error(nothing)
    env_result = subprocess.run(
        [*SYNCER, "validate", str(shop / "schedules")],
        cwd=tmp_path,
        env={**clean_env(DJANGO_SETTINGS_MODULE="shop.settings")}
        | {"PYTHONPATH": clean_env()["PYTHONPATH"] + os.pathsep + str(shop)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert env_result.returncode == 0, env_result.stderr
    options = run(
        tmp_path,
        "validate",
        str(shop / "schedules"),
        "--settings",
        "shop.settings",
        "--pythonpath",
        str(shop),
    )
    assert options.returncode == 0, options.stderr


def test_settings_that_cannot_be_imported(shop, tmp_path):
    line = one_line_error(run(tmp_path, "plan", DJANGO_SETTINGS_MODULE="shop.settings"))
    assert "cannot import the Django settings 'shop.settings'" in line
    assert "No module named 'shop'" in line and "--pythonpath" in line


def test_apps_missing_from_installed_apps(tmp_path):
    root = make_project(tmp_path / "p", apps='"django.contrib.contenttypes"')
    line = one_line_error(run(root, "plan"))
    assert 'add "django_celery_beat", "syncer" to INSTALLED_APPS' in line
    assert "manage.py migrate" in line


def test_a_project_without_a_celery_app_is_told_how_to_name_it(tmp_path):
    root = make_project(tmp_path / "p", import_app=False)
    line = one_line_error(run(root, "validate"))
    assert "no Celery app" in line and "SYNCER_CELERY_APP" in line
    named = run(root, "validate", SYNCER_CELERY_APP="shop.celery:app")
    assert named.returncode == 0, named.stderr


def test_unmigrated_database_says_to_migrate(shop):
    line = one_line_error(run(shop, "plan"))
    assert "database error" in line
    assert "run `python manage.py migrate`" in line and "migrations of django_celery_beat" in line


def test_settings_of_the_wrong_type_name_the_setting(shop):
    line = one_line_error(run(shop, "validate", SYNCER_MAX_TASKS="many"))
    assert line == "error: environment variable SYNCER_MAX_TASKS: expected an integer, got 'many'"


def test_commands_never_connect_to_the_broker(shop):
    # The broker URL points at a closed port: a connection attempt would hang in retries.
    migrate(shop)
    for argv in (
        ["validate"],
        ["plan"],
        ["apply"],
        ["status", "--output", "json"],
        ["export", "--managed"],
    ):
        result = run(shop, *argv)
        assert result.returncode == 0, (argv, result.stderr)


def test_validate_without_task_check_and_bare_schema_need_no_project(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "a.yaml").write_text(SCHEDULE)
    result = run(tmp_path, "validate", "--skip-task-check", "s")
    assert result.returncode == 0, result.stderr
    schema = run(tmp_path, "schema", "--no-tasks")
    assert schema.returncode == 0, schema.stderr
    assert '"title": "beat-sync schedule file (version 1)"' in schema.stdout


def test_watch_metrics_port_in_use_is_a_user_error(shop):
    import socket

    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = one_line_error(run(shop, "watch", "--metrics-port", str(port)))
    assert f"--metrics-port {port}: cannot listen" in line


def test_export_refuses_a_file_name_that_discovery_would_skip(shop):
    migrate(shop)
    assert run(shop, "apply").returncode == 0
    line = one_line_error(run(shop, "export", "--output-file", "legacy"))
    assert "must end in .yaml or .yml" in line and "legacy/" in line
    assert not (shop / "legacy").exists()
    # The old spelling -o PATH still writes the file, with a warning; -o DIR/ writes into DIR.
    old = run(shop, "export", "--managed", "-o", "out/")
    assert old.returncode == 0, old.stderr
    assert "-o PATH is deprecated" in old.stderr and (shop / "out" / "exported.yaml").is_file()
    assert "ping:" in (shop / "out" / "exported.yaml").read_text()


def test_management_command_in_the_foreign_project(shop):
    migrate(shop)
    result = manage(shop, "syncer", "plan", "--detailed-exitcode")
    assert result.returncode == 2, result.stderr
    assert "+ create ping" in textwrap.dedent(result.stdout)
