"""The project's Celery tasks, registered under explicit, stable names (``tasks.<name>``)."""

from tasks.files import write_to_file
from tasks.hello import print_hello

__all__ = ["print_hello", "write_to_file"]
