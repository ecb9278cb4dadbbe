"""The project's Celery tasks, registered under explicit, stable names (``tasks.<name>``)."""

from tasks.files import write_to_file
from tasks.hello import print_hello
from tasks.sleepy import sleep_then_write

__all__ = ["print_hello", "sleep_then_write", "write_to_file"]
