"""The supported matrix, at its two ends (see docs/adopting.md):

* ``nox -s "tests(lowest)"``: the whole suite on Python 3.11 with the lowest versions that
  pyproject.toml admits (tests/adoption/lowest.txt: Django 5.2, Celery 5.5, django-celery-beat 2.8);
* ``nox -s "tests(highest)"``: on Python 3.13 with the highest (tests/adoption/highest.txt:
  Django 6.0, Celery 5.7, django-celery-beat 2.9);
* ``nox -s adoption``: the built wheel in a fresh project at both ends (tests/adoption).

Extra pytest arguments after ``--``; ``DATABASE_URL`` and ``CELERY_BROKER_URL`` pass through.
Interpreters come from pyenv when its shims cannot run them (this machine: 3.12 and 3.13 are
installed under pyenv but not selected).
"""

from __future__ import annotations

import glob
import os
import shutil

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
HERE = os.path.dirname(os.path.abspath(__file__))
ENDS = {"lowest": "3.11", "highest": "3.13"}


def interpreter(version: str) -> str:
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    found = sorted(glob.glob(f"{root}/versions/{version}*/bin/python{version}"))
    return found[-1] if found else shutil.which(f"python{version}") or version


def constraints(end: str) -> str:
    return os.path.join(HERE, "tests", "adoption", f"{end}.txt")


@nox.session(python=False)
@nox.parametrize("end", list(ENDS))
def tests(session: nox.Session, end: str) -> None:
    venv = os.path.join(HERE, ".nox", f"tests-{end}")
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        session.run(interpreter(ENDS[end]), "-m", "venv", venv)
    session.run(python, "-m", "pip", "install", "-q", "-e", ".[dev]", "-c", constraints(end))
    session.run(python, "-m", "pip", "list", "--format=freeze", silent=False)
    # Lint and type checks judge the code, at the default versions (make lint), not the matrix.
    checks = ["--ignore=tests/test_code_quality.py", "--ignore=tests/adoption"]
    session.run(
        python,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        *checks,
        *session.posargs,
        env={"DEBUG": "1"},
    )


@nox.session(python=False)
def adoption(session: nox.Session) -> None:
    session.run(
        "pytest",
        "-p",
        "no:cacheprovider",
        "tests/adoption",
        "--adoption-ends",
        ",".join(ENDS),
        *session.posargs,
        env={"DEBUG": "1"},
    )
