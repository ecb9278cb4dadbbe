"""The demo project's API: the seed's three endpoints (``/api/create|update|delete``), the
OpenAPI schema and docs, and the syncer's ``/api/tasks/`` mounted with ``include``."""
