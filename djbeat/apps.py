"""The demo project as an app, so that it can register its system checks."""

from django.apps import AppConfig


class DjbeatConfig(AppConfig):
    name = "djbeat"
    verbose_name = "beat-sync demo project"

    def ready(self) -> None:
        from djbeat import checks  # noqa: F401  (registers the checks)
