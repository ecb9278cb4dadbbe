"""What the deployment files run, read as data: the Procfiles, compose's services, the Dockerfile
and the rendered Kubernetes manifests (``kubectl kustomize``).

How commands compare: both sides are split like a shell would (``shlex``); then the program is
reduced to its bare name (``.venv/bin/celery`` -> ``celery``, ``/usr/local/bin/python3.11`` ->
``python``) and ``python -m celery`` counts as ``celery``. Everything after the program must be
identical, option for option.
"""

from __future__ import annotations

import functools
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml

from tests.e2e.conftest import wait_until as e2e_wait_until

ROOT = Path(__file__).resolve().parents[2]
OVERLAY = ROOT / "deploy" / "k8s" / "overlays" / "production"
T = TypeVar("T")


def normalise(command: str | list[str]) -> list[str]:
    argv = shlex.split(command) if isinstance(command, str) else [str(a) for a in command]
    program = Path(argv[0]).name
    if re.fullmatch(r"python(3(\.\d+)?)?", program):
        program = "python"
    argv = [program, *argv[1:]]
    if argv[:3] == ["python", "-m", "celery"]:
        argv = ["celery", *argv[3:]]
    return argv


def procfile(name: str = "Procfile") -> dict[str, str]:
    processes = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_-]+):\s*(.+)", line)
        if match:
            processes[match[1]] = match[2]
    return processes


def option(argv: list[str], name: str) -> str:
    """The value of ``--name VALUE`` or ``--name=VALUE`` in ``argv``."""
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    raise AssertionError(f"{shlex.join(argv)}: no {name}")


def replace_option(argv: list[str], name: str, value: str) -> list[str]:
    out = list(argv)
    for i, arg in enumerate(out):
        if arg == name:
            out[i + 1] = value
            return out
        if arg.startswith(name + "="):
            out[i] = f"{name}={value}"
            return out
    raise AssertionError(f"{shlex.join(argv)}: no {name}")


def compose_services() -> dict[str, dict[str, Any]]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]


def dockerfile() -> dict[str, Any]:
    """The instructions of the Dockerfile that the deployment depends on."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    workdir = re.findall(r"^WORKDIR\s+(\S+)", text, re.MULTILINE)
    cmd = re.findall(r"^CMD\s+(\[.*\])\s*$", text, re.MULTILINE)
    uid = re.search(r"useradd\b.*--uid\s+(\d+)", text)
    assert workdir and cmd and uid, "the Dockerfile lost its WORKDIR, CMD or user"
    return {"workdir": workdir[-1], "cmd": json.loads(cmd[-1]), "uid": int(uid[1])}


# --- the rendered manifests -----------------------------------------------------------------------


def kustomize_command() -> list[str] | None:
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    return None


@functools.cache
def rendered(overlay: Path = OVERLAY) -> tuple[dict[str, Any], ...]:
    """The overlay's resources, as ``kubectl apply -k`` would send them."""
    command = kustomize_command()
    if command is None:
        pytest.skip("neither kubectl nor kustomize is installed")
    result = subprocess.run(
        [*command, str(overlay)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def resources(kind: str) -> dict[str, dict[str, Any]]:
    return {r["metadata"]["name"]: r for r in rendered() if r["kind"] == kind}


def workloads() -> dict[str, dict[str, Any]]:
    """Component name (app.kubernetes.io/component) -> its Deployment or Job."""
    found = {}
    for resource in rendered():
        if resource["kind"] in ("Deployment", "Job"):
            labels = resource["spec"]["template"]["metadata"]["labels"]
            found[labels["app.kubernetes.io/component"]] = resource
    return found


def pod(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


def main_container(component: str) -> dict[str, Any]:
    containers = pod(workloads()[component])["containers"]
    assert len(containers) == 1, f"{component}: one container per pod"
    assert containers[0]["name"] == component
    return containers[0]


def container_argv(container: dict[str, Any]) -> list[str]:
    return [*container.get("command", []), *container.get("args", [])]


def named_port(container: dict[str, Any], port: int | str) -> int:
    if isinstance(port, int):
        return port
    for declared in container.get("ports", []):
        if declared.get("name") == port:
            return int(declared["containerPort"])
    raise AssertionError(f"{container['name']}: no port named {port}")


# --- waiting: the e2e tests' helper (one poll loop for every process test) ------------------

wait_until = e2e_wait_until
