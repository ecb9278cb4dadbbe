"""The web process's probes (djbeat.health) in-process: they answer before the host check and the
HTTPS redirect of production, and readiness follows the database."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client, override_settings

from djbeat import health
from djbeat.health import LIVE, READY

POD = {"HTTP_HOST": "10.0.0.7:8000"}  # the kubelet's Host: the pod's address


@override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["beat.example.com"])
@pytest.mark.django_db
@pytest.mark.parametrize("path", [LIVE, READY])
def test_probes_answer_plain_http_from_the_pod_address(path):
    client = Client()
    assert client.get("/admin/login/", HTTP_HOST="beat.example.com").status_code == 301
    assert client.get("/admin/login/", **POD).status_code == 400
    response = client.get(path, **POD)
    assert (response.status_code, response.content) == (200, b"ok\n")


class Unreachable:
    def cursor(self):
        raise OperationalError("connection refused")


def test_not_ready_while_the_database_does_not_answer(monkeypatch):
    monkeypatch.setattr(health, "connection", Unreachable())
    client = Client()
    assert client.get(READY).status_code == 503
    assert client.get(LIVE).status_code == 200  # a restart would not bring the database back
