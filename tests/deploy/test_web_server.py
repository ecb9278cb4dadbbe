"""Procfile.production's web command, run for real (tests/deploy/conftest.py): gunicorn serves the
pages and, through whitenoise, the static files that ``collectstatic`` hashed and compressed, with
``DEBUG`` off and ``ENVIRONMENT=production``; the probes answer whatever the Host header."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

from djbeat.health import LIVE, READY


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_admin_static_files_are_served(web_server):
    status, headers, body = get(web_server.url + "/static/admin/css/base.css")
    assert status == 200, web_server.tail()
    assert headers["Content-Type"].startswith("text/css")
    assert b"body" in body


def test_pages_link_hashed_compressed_files_cached_forever(web_server):
    status, _, page = get(web_server.url + "/admin/login/")
    assert status == 200, web_server.tail()
    hashed = re.search(rb'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page)
    assert hashed, "the login page does not link the hashed stylesheet (manifest storage)"
    status, headers, _ = get(web_server.url + hashed[1].decode(), **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers.get("Content-Encoding") == "gzip"
    assert "immutable" in headers["Cache-Control"]


def test_debug_is_off(web_server):
    status, _, body = get(web_server.url + "/no-such-page/")
    assert status == 404
    assert b"URLconf" not in body and b"DEBUG = True" not in body


@pytest.mark.parametrize("path", [LIVE, READY])
def test_probes_answer_a_pod_address_that_is_not_an_allowed_host(web_server, path):
    # The kubelet asks http://POD-IP:PORT/...: the host check must not refuse the probes.
    pod = {"Host": "10.0.0.7:8000"}
    assert get(web_server.url + "/admin/login/", **pod)[0] == 400  # the host check is on
    status, _, body = get(web_server.url + path, **pod)
    assert (status, body) == (200, b"ok\n")
