"""The probes, the Prometheus annotations and compose's healthchecks ask the ports the commands
listen on for paths the real processes serve: read from the manifests and compose, then asked of
a running gunicorn (conftest.py) and a running ``syncer watch``."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.deploy.conftest import program, stop
from tests.deploy.processes import (
    ROOT,
    compose_services,
    main_container,
    named_port,
    normalise,
    option,
    procfile,
    replace_option,
    wait_until,
    workloads,
)


def status_of(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError):
        return 0, b""


def probes(name: str) -> dict[str, tuple[int, str]]:
    """readinessProbe/livenessProbe -> (port, path) of a container's HTTP probes."""
    container = main_container(name)
    found = {}
    for kind in ("readinessProbe", "livenessProbe"):
        get = container[kind]["httpGet"]
        found[kind] = (named_port(container, get["port"]), get["path"])
    return found


def compose_healthcheck(service: str) -> tuple[int, str]:
    test = " ".join(compose_services()[service]["healthcheck"]["test"])
    url = urlsplit(re.search(r"http://[^'\" ]+", test)[0])
    return url.port, url.path


def listen_port(name: str) -> int:
    argv = normalise(procfile("Procfile.production")[name])
    if name == "web":
        return int(option(argv, "--bind").rpartition(":")[2])
    return int(option(argv, "--metrics-port"))


def scrape() -> dict[str, str]:
    return workloads()["syncer"]["spec"]["template"]["metadata"]["annotations"]


def test_probes_and_healthchecks_ask_the_ports_the_commands_listen_on() -> None:
    for name in ("web", "syncer"):
        port = listen_port(name)
        assert {p for p, _ in probes(name).values()} == {port}, name
        assert compose_healthcheck(name)[0] == port, name


def test_the_metrics_annotations_name_the_metrics_port() -> None:
    assert scrape()["prometheus.io/scrape"] == "true"
    assert int(scrape()["prometheus.io/port"]) == listen_port("syncer")


def test_the_web_serves_the_probed_paths(web_server) -> None:
    paths = {path for _, path in probes("web").values()} | {compose_healthcheck("web")[1]}
    for path in paths:
        assert status_of(web_server.url + path) == (200, b"ok\n"), path
    assert status_of(web_server.url + "/no-such-probe")[0] == 404  # the check can fail


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def syncer_url(web_server, tmp_path: Path) -> Iterator[str]:
    """Procfile.production's syncer on the web server's migrated database, on a free port."""
    port = free_port()
    argv = normalise(procfile("Procfile.production")["syncer"])
    argv = replace_option(argv, "--metrics-port", str(port))
    with (tmp_path / "syncer.log").open("wb") as out:
        process = subprocess.Popen(
            [program(argv[0]), *argv[1:]],
            cwd=ROOT,
            env=web_server.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def test_the_syncer_serves_the_probed_and_scraped_paths(syncer_url, tmp_path: Path) -> None:
    def log() -> str:
        return (tmp_path / "syncer.log").read_text(errors="replace")[-4000:]

    _, ready = probes("syncer")["readinessProbe"]
    _, live = probes("syncer")["livenessProbe"]
    # Ready once its first reconcile succeeded (on the web server's migrated database).
    body = wait_until(
        lambda: (answer := status_of(syncer_url + ready))[0] == 200 and answer[1], 60, ready, log
    )
    assert json.loads(body)["ready"] is True
    assert status_of(syncer_url + live)[0] == 200
    assert compose_healthcheck("syncer")[1] == live
    status, metrics = status_of(syncer_url + scrape()["prometheus.io/path"])
    assert status == 200 and b"syncer_reconcile_total" in metrics
    assert status_of(syncer_url + "/no-such-probe")[0] == 404  # the checks can fail
