"""docker-compose.yml runs what Procfile.production runs, in a sane order, with no secret committed.

Docker does not run everywhere the tests do, so the file is checked as data; ``docker compose
config`` validates it too where the compose plugin is installed. How commands compare:
tests/deploy/processes.py (``normalise``); tests/deploy/test_commands.py relates the Procfiles.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy.processes import normalise, procfile

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES: dict[str, dict] = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker", "beat", "syncer")
SECRET_NAME = re.compile(r"PASSWORD|PASS$|SECRET|TOKEN|_KEY$", re.IGNORECASE)
PLACEHOLDER = "change-me"


PROCESSES = procfile("Procfile.production")


@pytest.mark.parametrize("name", sorted(PROCESSES))
def test_service_runs_the_procfile_command(name: str) -> None:
    assert name in SERVICES, f"docker-compose.yml has no {name} service"
    assert normalise(SERVICES[name]["command"]) == normalise(PROCESSES[name])


def test_migrate_runs_what_make_run_runs() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^\t\$\(BIN\)/(python manage\.py migrate.*)$", makefile, re.MULTILINE)
    assert recipe, "the Makefile's run recipe no longer migrates"
    assert normalise(SERVICES["migrate"]["command"]) == normalise(recipe[1])


def conditions(service: str) -> dict[str, str]:
    depends = SERVICES[service].get("depends_on", {})
    assert isinstance(depends, dict), f"{service}: depends_on must give conditions"
    return {name: spec.get("condition") for name, spec in depends.items()}


def test_start_order() -> None:
    assert conditions("migrate") == {"postgres": "service_healthy"}
    for service in ("web", "syncer"):
        assert conditions(service) == {"migrate": "service_completed_successfully"}
    for service in ("worker", "beat"):
        assert conditions(service) == {
            "rabbitmq": "service_healthy",
            "migrate": "service_completed_successfully",
        }
    assert SERVICES["migrate"].get("restart") == "no", "migrate is one-shot"


def test_every_awaited_health_has_a_healthcheck() -> None:
    for service in SERVICES:
        for dependency, condition in conditions(service).items():
            assert dependency in SERVICES, f"{service} depends on unknown {dependency}"
            if condition == "service_healthy":
                assert "test" in SERVICES[dependency].get("healthcheck", {}), dependency
    assert "pg_isready" in str(SERVICES["postgres"]["healthcheck"]["test"])
    for service in ("rabbitmq", "web", "worker"):
        assert SERVICES[service].get("healthcheck", {}).get("test"), service


def test_services_and_volumes() -> None:
    assert SERVICES["rabbitmq"]["image"].startswith("rabbitmq:3-management")
    assert any(v.endswith(":/var/lib/rabbitmq") for v in SERVICES["rabbitmq"]["volumes"])
    assert "./schedules:/app/schedules:ro" in SERVICES["syncer"]["volumes"]
    for service in APP_SERVICES:
        assert SERVICES[service]["build"] == ".", service


def test_secrets_come_from_an_uncommitted_env_file() -> None:
    for name, service in SERVICES.items():
        assert service.get("env_file") == ".env.docker", name
        environment = service.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.partition("=")[::2] for item in environment)
        for key, value in environment.items():
            if SECRET_NAME.search(key):
                assert value is None or str(value).startswith("${"), f"{name}: literal {key}"
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert not re.search(r"://[^/\s:@]+:[^@\s]+@", text), "credentials in a URL"

    if not (shutil.which("git") and (ROOT / ".git").exists()):
        return  # not a git checkout: nothing is committed here
    tracked = subprocess.run(
        ["git", "ls-files", "--", ".env", ".env.docker"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if tracked.returncode == 0:
        assert tracked.stdout == "", "local env files are committed"
        ignored = subprocess.run(
            ["git", "check-ignore", "-q", ".env.docker"], cwd=ROOT, check=False
        )
        assert ignored.returncode == 0, ".env.docker is not git-ignored"


def test_env_docker_example_holds_placeholders_only() -> None:
    values = {}
    for line in (ROOT / ".env.docker.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    secrets = {key: value for key, value in values.items() if SECRET_NAME.search(key)}
    assert {"SECRET_KEY", "POSTGRES_PASSWORD", "RABBITMQ_DEFAULT_PASS"} <= set(secrets)
    assert all(value == PLACEHOLDER for value in secrets.values()), secrets
    for key in ("DATABASE_URL", "CELERY_BROKER_URL"):
        password = re.search(r"://[^:/@]+:([^@]*)@", values[key])
        assert password and password[1] == PLACEHOLDER, key
    assert values["DEBUG"] == "0"


def test_dockerignore_keeps_local_state_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".git", ".venv", "var", ".env", ".env.*"):
        assert entry in ignored, entry


def _compose_plugin() -> bool:
    if not shutil.which("docker"):
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _compose_plugin(), reason="the docker compose plugin is not installed")
def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    # compose insists that env_file exists: validate with the example in a copy of the project.
    for name in ("docker-compose.yml", "Dockerfile", ".dockerignore"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / ".env.docker.example", tmp_path / ".env.docker")
    (tmp_path / "schedules").mkdir()
    result = subprocess.run(
        ["docker", "compose", "config", "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
