"""One source for what runs: Procfile.production holds the containers' commands, and compose, the
image's default command and every Kubernetes workload run exactly those (``normalise``: see
tests/deploy/processes.py). Procfile.production is the Procfile of ``make run`` but for web, which
serves with gunicorn instead of Django's development server, on the same address.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.deploy.processes import (
    compose_services,
    container_argv,
    dockerfile,
    main_container,
    normalise,
    option,
    pod,
    procfile,
    workloads,
)

DEVELOPMENT, PRODUCTION = procfile("Procfile"), procfile("Procfile.production")
# The one process whose production command differs, and why: the development server is not one.
DIFFERS = {"web"}


def test_normalise() -> None:
    assert normalise(".venv/bin/celery -A djbeat worker") == ["celery", "-A", "djbeat", "worker"]
    assert normalise(["/usr/bin/python3.11", "-m", "celery", "beat"]) == ["celery", "beat"]
    assert normalise("python3 manage.py migrate") == ["python", "manage.py", "migrate"]
    assert normalise("celery -A djbeat worker") != normalise("celery -A djbeat worker -P solo")


def test_both_procfiles_run_the_same_processes() -> None:
    assert set(PRODUCTION) == set(DEVELOPMENT) == {"web", "worker", "beat", "syncer"}


@pytest.mark.parametrize("name", sorted(set(DEVELOPMENT) - DIFFERS))
def test_production_runs_the_development_command(name: str) -> None:
    assert normalise(PRODUCTION[name]) == normalise(DEVELOPMENT[name])


def test_web_is_gunicorn_on_the_development_servers_address() -> None:
    development, production = normalise(DEVELOPMENT["web"]), normalise(PRODUCTION["web"])
    assert development[:3] == ["python", "manage.py", "runserver"]
    assert production[0] == "gunicorn" and "runserver" not in production
    # gunicorn serves the project's WSGI application (module djbeat.wsgi, attribute application).
    module, _, attribute = settings.WSGI_APPLICATION.rpartition(".")
    assert production[1] in (module, f"{module}:{attribute}")
    assert option(production, "--bind") == development[3]


def test_the_images_default_command_is_production_web() -> None:
    assert normalise(dockerfile()["cmd"]) == normalise(PRODUCTION["web"])


def test_every_process_is_a_kubernetes_workload() -> None:
    assert set(workloads()) == set(PRODUCTION) | {"migrate"}


@pytest.mark.parametrize("name", sorted(PRODUCTION))
def test_kubernetes_runs_the_procfile_command(name: str) -> None:
    assert normalise(container_argv(main_container(name))) == normalise(PRODUCTION[name])


def test_kubernetes_migrates_as_compose_and_make_run_do() -> None:
    # tests/test_compose.py: compose's migrate runs the Makefile's.
    compose = normalise(compose_services()["migrate"]["command"])
    assert normalise(container_argv(main_container("migrate"))) == compose


def test_what_uses_the_database_waits_for_the_migrations() -> None:
    migrate = normalise(container_argv(main_container("migrate")))
    for name, workload in workloads().items():
        if name == "migrate" or not uses(workload, "DATABASE_URL"):
            continue
        (init,) = pod(workload).get("initContainers", [])
        argv = normalise(container_argv(init))
        # The Job's command that only checks (no write) and needs no SECRET_KEY.
        assert argv[: len(migrate) - 1] == migrate[:-1] and migrate[-1] == "--no-input"
        assert argv[len(migrate) - 1 :] == ["--check", "--skip-checks"], name
        assert init["image"] == main_container(name)["image"]


def uses(workload: dict, variable: str) -> bool:
    return any(e["name"] == variable for c in pod(workload)["containers"] for e in c.get("env", []))
