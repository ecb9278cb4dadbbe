"""Docs that run as written: every shell example of README.md and docs/ runs here, in order, in a
copy of the repository on a fresh database (the demo project, SQLite, the filesystem broker), and
must succeed. The few that cannot run here say why, or name the test that runs what they do
(``markdown_blocks.py``: the directives). A doc can no longer drift from the code unnoticed."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.docs.markdown_blocks import ROOT, Block, blocks, documents

BIN = Path(sys.executable).parent
DOCUMENTS = [path for path in documents() if blocks(path)]


class Sandbox:
    """A copy of the repository's tracked files (a git repository of its own), migrated."""

    def __init__(self, root: Path) -> None:
        self.root = root
        tracked = (
            subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
            .stdout.decode()
            .split("\0")
        )
        for name in filter(None, tracked):
            source, target = ROOT / name, root / name
            if source.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        keep = ("HOME", "LANG", "TERM")
        self.env = {k: v for k, v in os.environ.items() if k in keep}
        self.env.update(
            PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            DEBUG="1",
            NO_COLOR="1",
            BEAT_SYNC_VAR_DIR=str(root / "var"),
            DATABASE_URL=f"sqlite:///{root / 'var' / 'db.sqlite3'}",
            CELERY_BROKER_URL="filesystem://",
            GIT_AUTHOR_NAME="docs",
            GIT_AUTHOR_EMAIL="docs@example.com",
            GIT_COMMITTER_NAME="docs",
            GIT_COMMITTER_EMAIL="docs@example.com",
        )
        # An HTTP error fails the example's curl (curl alone exits 0 on a 409).
        (root / ".curlrc").write_text("fail-with-body\n")
        self.env["CURL_HOME"] = str(root)
        for argv in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "x"]):
            self.call(argv)
        self.call([sys.executable, "manage.py", "migrate", "--no-input", "-v0"])
        self.port: int | None = None
        self.server: subprocess.Popen[bytes] | None = None

    def call(self, argv: list[str]) -> None:
        result = subprocess.run(
            argv, cwd=self.root, env=self.env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, (argv, result.stdout, result.stderr)

    def start_server(self) -> int:
        if self.port is None:
            with closing(socket.socket()) as s:
                s.bind(("127.0.0.1", 0))
                self.port = int(s.getsockname()[1])
            self.call(
                [
                    sys.executable,
                    "manage.py",
                    "createsuperuser",
                    "--noinput",
                    "--username",
                    "admin",
                    "--email",
                    "admin@example.com",
                ]
            )
            self.server = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
                cwd=self.root,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            _wait_for(f"http://127.0.0.1:{self.port}/admin/login/")
        return self.port

    def run(self, block: Block) -> subprocess.CompletedProcess[str]:
        script = block.script()
        if block.server:
            script = script.replace("localhost:8000", f"localhost:{self.start_server()}")
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def close(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=30)


def _wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"the web server did not answer at {url}")
            time.sleep(0.2)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    env_password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
    os.environ["DJANGO_SUPERUSER_PASSWORD"] = "docs-password"
    box = Sandbox(tmp_path / "repo")
    box.env["DJANGO_SUPERUSER_PASSWORD"] = "docs-password"
    try:
        yield box
    finally:
        box.close()
        if env_password is None:
            os.environ.pop("DJANGO_SUPERUSER_PASSWORD", None)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shell_example_of_the_document_runs(document: Path, sandbox: Sandbox) -> None:
    ran = 0
    for block in blocks(document):
        if block.skip or block.covered_by:
            continue
        result = sandbox.run(block)
        assert result.returncode == 0, (
            f"{block.where} exited {result.returncode}:\n{block.script()}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
        ran += 1
    assert ran or all(b.skip or b.covered_by for b in blocks(document))


def test_every_example_that_does_not_run_says_why():
    for document in documents():
        for block in blocks(document):
            if block.skip:
                assert len(block.skip) > 20, f"{block.where}: skip needs a reason"
            if block.covered_by:
                path, _, reason = block.covered_by.partition(":")
                assert (ROOT / path).is_file(), f"{block.where}: {path} does not exist"
                assert reason.strip(), f"{block.where}: covered-by needs a reason"


def test_the_parser_finds_the_examples_and_their_directives():
    readme = blocks(ROOT / "README.md")
    assert readme[0].text.startswith("make run") and readme[0].covered_by
    api = blocks(ROOT / "docs" / "api.md")
    assert [b.server for b in api] == [True, True]  # the seed's endpoints; pause and resume
    total = sum(len(blocks(d)) for d in documents())
    running = sum(1 for d in documents() for b in blocks(d) if not (b.skip or b.covered_by))
    assert total >= 20 and running >= 10, (total, running)
