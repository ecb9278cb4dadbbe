"""A real browser on the production web process (conftest.py): the admin, a declared task's page
and the API docs render from the project's own server, and no request leaves the machine.

Chromium is Debian's (/usr/bin/chromium; .ci/run installs it), driven by Playwright for Python;
never ``playwright install``, which downloads browsers. Every request whose host is not the test
server is aborted and recorded; the page origin is a host name (beat.test, resolved to 127.0.0.1
by the browser), not localhost, so that nothing is let through as local.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.deploy.conftest import HOST, PASSWORD, USER

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    f"--host-resolver-rules=MAP {HOST} 127.0.0.1",
]
TIMEOUT_MS = 30_000

playwright_api = pytest.importorskip("playwright.sync_api")
if not shutil.which(CHROMIUM):
    # CI installs Chromium (.ci/run): there, a missing browser is a failure, not a skip.
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install -y chromium")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)", allow_module_level=True)


class Recorder:
    """Aborts what goes anywhere but the server, and remembers it; remembers failed answers."""

    def __init__(self, origin: str) -> None:
        self.origin, self.left, self.failed, self.errors = origin, [], [], []

    def route(self, route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == self.origin:
            route.continue_()
        else:
            self.left.append(url)
            route.abort()

    def response(self, response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def session(browser, web_server) -> Iterator[tuple]:
    origin = f"{HOST}:{web_server.port}"
    context = browser.new_context(base_url=f"http://{origin}")
    context.set_default_timeout(TIMEOUT_MS)
    recorder = Recorder(origin)
    context.route("**/*", recorder.route)
    page = context.new_page()
    page.on("response", recorder.response)
    page.on("pageerror", lambda error: recorder.errors.append(str(error)))
    try:
        yield page, recorder
        assert recorder.left == [], "requests left the machine"
        assert recorder.failed == [] and recorder.errors == []
    finally:
        context.close()


def log_in(page) -> None:
    page.goto("/admin/login/")
    page.fill("#id_username", USER)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


def styled(page) -> bool:
    """The admin's stylesheet applied (not merely linked): its header is not the default."""
    color = page.eval_on_selector("#header", "e => getComputedStyle(e).backgroundColor")
    return color not in ("rgba(0, 0, 0, 0)", "transparent")


def test_the_admin_and_a_declared_tasks_page_render(session) -> None:
    page, _ = session
    log_in(page)
    assert page.locator("#site-name").is_visible()
    assert styled(page)
    page.goto("/admin/django_celery_beat/periodictask/")
    page.get_by_role("link", name="print-hello", exact=True).click()
    page.wait_for_url(re.compile(r".*/periodictask/\d+/change/$"))
    content = page.content()
    assert "managed by the syncer" in content
    assert re.search(r"schedules/hello\.yaml:\d+", content)
    assert styled(page)


def test_the_api_docs_render_swagger_ui_from_our_static_files(session) -> None:
    page, _ = session
    scripts = []
    page.on(
        "request",
        lambda request: scripts.append(request.url) if request.resource_type == "script" else None,
    )
    page.goto("/api/docs/")
    operations = page.locator(".opblock")
    operations.first.wait_for(state="visible")
    assert operations.count() >= 5
    assert page.locator(".opblock-summary-path", has_text="/api/tasks/").count() >= 1
    assert scripts and all(
        urlsplit(url).path.startswith("/static/drf_spectacular_sidecar/") for url in scripts
    ), scripts


def test_the_load_picture_charts_the_live_tables(session, tmp_path) -> None:
    """#16: the admin's load picture, reached from the task list: a chart of the runs per minute
    over the next day from the live rows (schedules/hello.yaml: every 3 s and every 5 s, so
    every minute has runs), drawn from the page's own SVG, no script, nothing fetched."""
    page, _ = session
    log_in(page)
    page.goto("/admin/django_celery_beat/periodictask/")
    page.set_viewport_size({"width": 1400, "height": 900})
    page.get_by_role("link", name="Load picture").click()
    page.wait_for_url("**/periodictask/timeline/")
    chart = page.locator(".chart svg")
    chart.wait_for(state="visible")
    bars = page.locator(".chart svg rect.bar")
    assert bars.count() >= 1439  # a bar a minute: print-hello and write-to-file run in each
    assert int(page.locator("#total-runs").inner_text()) > 1440 * 30
    assert page.locator("#peaks td", has_text="(default)").count() >= 1
    box = chart.bounding_box()
    content = page.locator("#content-main").bounding_box()
    # As wide as the page's content, not wider: the whole day is in view.
    assert box is not None and content is not None and box["height"] > 100
    assert 800 < box["width"] <= content["width"] + 1
    shot = tmp_path / "load-picture.png"
    chart.screenshot(path=str(shot))
    image = shot.read_bytes()
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and len(image) > 5_000
    width, height = int.from_bytes(image[16:20], "big"), int.from_bytes(image[20:24], "big")
    assert width > 800 and height > 100
    page.goto("/admin/django_celery_beat/periodictask/timeline/?window=7d&by=task")
    assert page.locator(".chart svg rect.bar").count() > 900
    assert page.locator("#peaks td", has_text="print-hello").count() >= 1
