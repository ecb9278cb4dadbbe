"""Who applies which revision: recorded with every apply (``ApplyRecord``, ``ManagedTask``)."""

from __future__ import annotations

import argparse
import getpass
import os
import socket
import subprocess

from syncer.cli.inputs import paths
from syncer.db.apply import Audit


def from_args(args: argparse.Namespace) -> Audit:
    sources = paths(args)
    revision = args.revision or os.environ.get("SYNCER_REVISION") or git_revision(sources[0])
    return Audit(  # cut to the columns' lengths: PostgreSQL refuses longer values
        revision=revision[:200],
        applied_by=applied_by()[:200],
        source=" ".join(sources)[:1024],
    )


def git_revision(path: str) -> str:
    directory = path if os.path.isdir(path) else os.path.dirname(path) or "."
    try:
        head = subprocess.run(
            ["git", "-C", directory, "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", directory, "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return f"{head}-dirty" if dirty else head


def applied_by() -> str:
    if os.environ.get("SYNCER_APPLIED_BY"):
        return os.environ["SYNCER_APPLIED_BY"]
    if os.environ.get("GITHUB_ACTIONS"):
        env = os.environ
        return f"github-actions:{env.get('GITHUB_ACTOR', '')}@{env.get('GITHUB_REPOSITORY', '')}"
    if os.environ.get("GITLAB_CI"):
        env = os.environ
        return f"gitlab-ci:{env.get('GITLAB_USER_LOGIN', '')}@{env.get('CI_PROJECT_PATH', '')}"
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = str(os.getuid())
    return f"{user}@{socket.gethostname()}"
