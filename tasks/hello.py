"""``tasks.print_hello``: the smallest periodic task, to see beat and the worker at work."""

from celery import shared_task


@shared_task(name="tasks.print_hello")
def print_hello() -> str:
    # The worker redirects stdout to its log at INFO (CELERY_WORKER_REDIRECT_STDOUTS_LEVEL), so
    # this is one line of the log, not a warning.
    print("Hello World!", flush=True)
    return "Hello World!"
