"""``tasks.print_hello``: the smallest periodic task, to see beat and the worker at work."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="tasks.print_hello")
def print_hello() -> str:
    logger.info("Hello World!")
    print("Hello World!", flush=True)
    return "Hello World!"
