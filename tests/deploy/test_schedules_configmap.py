"""schedules/ reaches the syncer as a ConfigMap whose name follows the content (a changed file
rolls the syncer out), mounted read-only where the syncer's command and SYNCER_SCHEDULES_DIR look.
schedules/Kustomization, the list of files kustomize needs, is kept equal to the directory."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import yaml

from syncer.core.load import discover
from tests.deploy.processes import (
    OVERLAY,
    ROOT,
    container_argv,
    dockerfile,
    kustomize_command,
    main_container,
    normalise,
    pod,
    rendered,
    resources,
    workloads,
)

SCRIPT = ROOT / "deploy" / "k8s" / "schedules_kustomization.py"


def schedules_configmap() -> dict:
    (config,) = [c for name, c in resources("ConfigMap").items() if name.startswith("schedules-")]
    return config


def test_the_configmap_holds_exactly_the_files_the_syncer_reads() -> None:
    found, problems = discover([ROOT / "schedules"])
    assert not problems
    files = {path.name: path.read_text(encoding="utf-8") for path in found}
    assert schedules_configmap()["data"] == files


def test_the_syncer_reads_the_mounted_configmap() -> None:
    container = main_container("syncer")
    (volume,) = [
        v for v in pod(workloads()["syncer"])["volumes"] if v.get("configMap", {}).get("name")
    ]
    assert volume["configMap"]["name"] == schedules_configmap()["metadata"]["name"]
    (mount,) = [m for m in container["volumeMounts"] if m["name"] == volume["name"]]
    assert mount["readOnly"] is True
    # The command's PATH, relative to the image's working directory, is the mount.
    argv = normalise(container_argv(container))
    assert argv[:2] == ["syncer", "watch"]
    path = PurePosixPath(dockerfile()["workdir"]) / argv[2]
    assert PurePosixPath(mount["mountPath"]) == path
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert PurePosixPath(env["SYNCER_SCHEDULES_DIR"]) == path


def copy_tree(tmp_path: Path) -> Path:
    for part in ("deploy", "schedules"):
        shutil.copytree(ROOT / part, tmp_path / part)
    return tmp_path


def render(root: Path) -> list[dict]:
    command = kustomize_command()
    assert command, "rendered() skips first when kustomize is missing"
    result = subprocess.run(
        [*command, str(root / OVERLAY.relative_to(ROOT))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def test_a_changed_schedule_is_a_new_configmap_and_a_new_syncer_pod(tmp_path: Path) -> None:
    before = schedules_configmap()["metadata"]["name"]
    assert rendered()  # skips without kustomize
    root = copy_tree(tmp_path)
    hello = root / "schedules" / "hello.yaml"
    hello.write_text(hello.read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
    after = render(root)
    (config,) = [
        d
        for d in after
        if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("schedules-")
    ]
    assert config["metadata"]["name"] != before
    (syncer,) = [
        d for d in after if d["kind"] == "Deployment" and d["metadata"]["name"] == "syncer"
    ]
    volumes = syncer["spec"]["template"]["spec"]["volumes"]
    assert {"name": "schedules", "configMap": {"name": config["metadata"]["name"]}} in volumes


def script(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, check=False
    )


def test_the_file_list_is_up_to_date() -> None:
    result = script("--check", ROOT / "schedules")
    assert result.returncode == 0, result.stderr


def test_a_new_file_makes_the_list_stale_until_rewritten(tmp_path: Path) -> None:
    directory = copy_tree(tmp_path) / "schedules"
    (directory / "nightly.yml").write_text("tasks: {}\n", encoding="utf-8")
    stale = script("--check", directory)
    assert stale.returncode == 1 and "stale" in stale.stderr
    assert script(directory).returncode == 0
    assert "      - nightly.yml\n" in (directory / "Kustomization").read_text(encoding="utf-8")
    assert script("--check", directory).returncode == 0


def test_a_subdirectory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "production").mkdir()
    (tmp_path / "production" / "a.yaml").write_text("tasks: {}\n", encoding="utf-8")
    result = script(tmp_path)
    assert result.returncode == 1 and "a ConfigMap is flat" in result.stderr
    assert not (tmp_path / "Kustomization").exists()
