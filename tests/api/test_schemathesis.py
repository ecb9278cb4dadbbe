"""Property-based tests of the whole API against its own OpenAPI schema (schemathesis, in process
through the WSGI app): no input gives a 500, and every response matches the schema (status,
content type, headers, body).

Generated ids are aimed at real rows (some unmanaged, one managed), so that updates, deletes and
409s are exercised, not only 404s. Two checks are left out, as they test a stricter contract
than this API's: ``positive_data_acceptance`` (the schema cannot say "a name not taken" or "not
both expires and expire_seconds", 400s by design) and ``negative_data_rejection`` (DRF accepts
"10" for 10, ``Seconds`` for ``seconds``, an empty ``page`` for the first page). Runs are
derandomized, so that CI is reproducible.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from djbeat.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def same_connection() -> Iterator[None]:
    """Keep the test's transaction open across requests, as Django's test client does: the WSGI
    handler would otherwise close the connection at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def rows(make_task: Any, manage: Any) -> list[int]:
    ids = [make_task(f"row-{i}", every=i + 1)["id"] for i in range(3)]
    managed = make_task("managed-row", every=5, period="minutes")["id"]
    manage(managed)
    return [*ids, managed]


def aim_at_rows(case: Any, rows: list[int]) -> None:
    """A generated id >= 1 becomes one of the real rows (others stay invalid: 400s and 404s)."""
    for container in (case.path_parameters, case.body):
        if (
            isinstance(container, dict)
            and type(container.get("id")) is int
            and container["id"] >= 1
        ):
            container["id"] = rows[container["id"] % len(rows)]


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_api_conforms_to_its_schema(
    case: Any, api: Any, rows: list[int], same_connection: None
) -> None:
    aim_at_rows(case, rows)
    case.call_and_validate(
        headers={"Authorization": api._credentials["HTTP_AUTHORIZATION"]},
        excluded_checks=[
            schemathesis.checks.positive_data_acceptance,
            schemathesis.checks.negative_data_rejection,
        ],
    )
