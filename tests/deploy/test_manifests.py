"""The rendered production overlay (``kubectl kustomize``) is valid Kubernetes, names its secrets
without holding them, and runs every pod locked down, within budgets, with beat alone."""

from __future__ import annotations

import copy
import re

import kubernetes_validate
import pytest
from kubernetes_validate.utils import latest_version

from tests.deploy.processes import (
    ROOT,
    container_argv,
    dockerfile,
    main_container,
    normalise,
    option,
    pod,
    rendered,
    resources,
    workloads,
)

# The oldest Kubernetes the manifests are for (policy/v1 budgets, autoscaling/v2 behavior), and
# the newest that kubernetes-validate bundles (it works offline).
VERSIONS = ("1.28", latest_version())
SECRET = "beat-sync"
SECRET_KEYS = {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"}
SECRET_NAME = re.compile(r"PASSWORD|PASS$|SECRET|TOKEN|_KEY$|_URL$", re.IGNORECASE)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_resource_validates_against_the_kubernetes_schemas(version: str) -> None:
    for resource in rendered():
        kubernetes_validate.validate(resource, version, strict=True)


def test_the_validation_catches_a_misspelled_field() -> None:
    web = copy.deepcopy(resources("Deployment")["web"])
    pod(web)["containers"][0]["readinessProbe"]["httpGet"]["pathh"] = "/readyz"
    with pytest.raises(kubernetes_validate.ValidationError, match="pathh"):
        kubernetes_validate.validate(web, VERSIONS[0], strict=True)


def containers(workload: dict) -> list[dict]:
    spec = pod(workload)
    return [*spec.get("initContainers", []), *spec["containers"]]


def test_secrets_are_named_never_held() -> None:
    assert not resources("Secret"), "a Secret in the manifests: create it out of band"
    referenced = set()
    for workload in workloads().values():
        for container in containers(workload):
            assert "envFrom" not in container or all(
                "secretRef" not in source for source in container["envFrom"]
            ), "whole-Secret envFrom: reference the keys a process needs"
            for variable in container.get("env", []):
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] == SECRET and ref["key"] == variable["name"]
                    referenced.add(ref["key"])
                else:
                    assert not SECRET_NAME.search(variable["name"]), variable
    assert referenced == SECRET_KEYS
    for config in resources("ConfigMap").values():
        if not config["metadata"]["name"].startswith("schedules-"):
            assert not any(SECRET_NAME.search(key) for key in config["data"]), config
    docs = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    for name in (SECRET, *SECRET_KEYS):
        assert f"`{name}`" in docs, f"docs/deploy.md does not name {name}"


def test_every_pod_runs_locked_down_as_the_images_user() -> None:
    uid = dockerfile()["uid"]
    for name, workload in workloads().items():
        spec = pod(workload)
        assert spec["automountServiceAccountToken"] is False, name
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] == uid, name
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        for container in containers(workload):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
            assert "memory" in container["resources"]["limits"], name
        mounts = {m["mountPath"] for m in main_container(name).get("volumeMounts", [])}
        assert "/tmp" in mounts, f"{name}: a read-only root needs a writable /tmp"


def test_the_image_is_pinned() -> None:
    for workload in workloads().values():
        for container in containers(workload):
            assert re.fullmatch(r"[^:]+:[\w.-]+", container["image"]), container["image"]
            assert not container["image"].endswith(":latest")


def replicas(name: str) -> int | None:
    return resources("Deployment")[name]["spec"].get("replicas")


def test_beats_run_on_the_companion_scheduler_two_at_a_time() -> None:
    beat = resources("Deployment")["beat"]
    scheduler = option(normalise(container_argv(main_container("beat"))), "--scheduler")
    # Two DatabaseScheduler beats would each send every due task: only the companion scheduler
    # (a lease and a claim per slot) may run more than one, and roll without a gap.
    assert scheduler == "syncer.beat:Scheduler"
    assert replicas("beat") == 2
    assert beat["spec"]["strategy"]["type"] == "RollingUpdate"


def test_the_syncer_and_web_run_two_replicas_and_workers_autoscale() -> None:
    assert replicas("syncer") == 2 and replicas("web") == 2
    assert replicas("worker") is None, "the autoscaler owns the worker count"
    (autoscaler,) = resources("HorizontalPodAutoscaler").values()
    assert autoscaler["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "worker",
    }
    assert autoscaler["spec"]["minReplicas"] >= 2
    assert "cpu" in main_container("worker")["resources"]["requests"]


def test_a_disruption_budget_covers_each_long_running_process() -> None:
    budgets = resources("PodDisruptionBudget").values()
    for name, workload in workloads().items():
        if workload["kind"] != "Deployment":
            continue
        labels = workload["spec"]["template"]["metadata"]["labels"]
        (budget,) = [
            b for b in budgets if b["spec"]["selector"]["matchLabels"].items() <= labels.items()
        ]
        # maxUnavailable: never blocks a drain, whatever the replica count.
        assert budget["spec"].get("maxUnavailable") == 1, name
