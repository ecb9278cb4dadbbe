"""The adoption test's environment: the built wheel, installed into a fresh virtual environment
at one end of the supported matrix, and a database of its own per vendor.

Ends (``--adoption-ends``, default ``lowest``):

* ``lowest``: Python 3.11 with the lowest versions ``pyproject.toml`` admits (``lowest.txt``);
* ``highest``: Python 3.13 with the highest (``highest.txt``: Django 6.0, Celery 5.7,
  django-celery-beat 2.9);
* ``current``: the interpreter running the tests, newest versions.

Databases: SQLite (a file), PostgreSQL and MariaDB on localhost (a database created for the test
with ``psql`` / ``mysql`` and dropped afterwards). A server that does not answer skips its case on
a developer's machine and fails it in CI (``CI`` set): CI must prove all three.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
MARIADB = {"host": "127.0.0.1", "port": "3306", "user": "root"}


@dataclass(frozen=True)
class End:
    name: str
    python: str
    constraints: Path | None


def _pyenv_python(version: str) -> str | None:
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    found = sorted(glob.glob(f"{root}/versions/{version}*/bin/python{version}"))
    return found[-1] if found else shutil.which(f"python{version}")


def _end(name: str) -> End:
    if name == "current":
        return End(name, sys.executable, None)
    version = {"lowest": "3.11", "highest": "3.13"}[name]
    python = _pyenv_python(version)
    if python is None:
        pytest.fail(f"python{version} is needed for the {name} end of the matrix")
    return End(name, python, HERE / f"{name}.txt")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--adoption-ends",
        default=os.environ.get("ADOPTION_ENDS", "lowest"),
        help="comma-separated: lowest, highest, current (default: lowest; $ADOPTION_ENDS)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "end" in metafunc.fixturenames:
        names = [n.strip() for n in metafunc.config.getoption("adoption_ends").split(",")]
        metafunc.parametrize("end", names, indirect=True, scope="session")


def run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(argv, capture_output=True, text=True, timeout=900, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(argv)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    return result


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build``: the wheel a user installs (and the sdist, checked by twine)."""
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)])
    run([sys.executable, "-m", "twine", "check", "--strict", *map(str, out.iterdir())])
    (found,) = out.glob("*.whl")
    return found


@pytest.fixture(scope="session")
def end(request: pytest.FixtureRequest) -> End:
    return _end(request.param)


@pytest.fixture(scope="session")
def venv(end: End, wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel and the drivers, at this end of the matrix."""
    root = tmp_path_factory.mktemp(f"venv-{end.name}")
    run([end.python, "-m", "venv", str(root)])
    pip = [str(root / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
    constraints = ["-c", str(end.constraints)] if end.constraints else []
    run([*pip, f"{wheel}[api,postgres,mysql]", *constraints])
    return root


@dataclass
class Database:
    vendor: str
    settings: str  # the DATABASES["default"] literal for the project's settings.py


def _server_answers(argv: list[str]) -> bool:
    try:
        return subprocess.run(argv, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _unavailable(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} does not answer: CI must run the adoption test on it")
    pytest.skip(f"{what} does not answer")


def _psql(*sql: str) -> list[str]:
    argv = ["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", "postgres"]
    return [*argv, "-v", "ON_ERROR_STOP=1", "-q", *[a for s in sql for a in ("-c", s)]]


def _mysql(sql: str) -> list[str]:
    return ["mysql", "-h", MARIADB["host"], "-P", MARIADB["port"], "-u", MARIADB["user"], "-e", sql]


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    name = f"adopt_{uuid.uuid4().hex[:10]}"
    if request.param == "sqlite":
        path = tmp_path / "db.sqlite3"
        yield Database("sqlite", f'{{"ENGINE": "django.db.backends.sqlite3", "NAME": "{path}"}}')
        return
    if request.param == "postgresql":
        if not _server_answers(_psql("SELECT 1")):
            _unavailable("PostgreSQL on 127.0.0.1:5432")
        run(_psql(f'CREATE DATABASE "{name}"'))
        engine = "django.db.backends.postgresql"
        server = PG
        drop = _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        options = ""
    else:
        if not _server_answers(_mysql("SELECT 1")):
            _unavailable("MariaDB on 127.0.0.1:3306")
        run(_mysql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        engine = "django.db.backends.mysql"
        server = MARIADB
        drop = _mysql(f"DROP DATABASE IF EXISTS `{name}`")
        options = ', "OPTIONS": {"charset": "utf8mb4"}'
    try:
        yield Database(
            request.param,
            f'{{"ENGINE": "{engine}", "NAME": "{name}", "USER": "{server["user"]}", '
            f'"HOST": "{server["host"]}", "PORT": "{server["port"]}"{options}}}',
        )
    finally:
        subprocess.run(drop, capture_output=True, timeout=60)
