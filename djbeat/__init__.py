"""The Django project whose django-celery-beat tables the syncer drives.

Importing the Celery app here makes ``@shared_task`` bind to it when Django starts.
"""

from djbeat.celery import app as celery_app

__all__ = ["celery_app"]
