"""beat-sync: schedules as code for Celery beat.

``syncer.core`` is pure (load, spec, desired, plan, render: no Django); ``syncer.db`` reads and
writes django-celery-beat's tables; ``syncer.cli`` is the command line. The package is also the
Django app that holds the ownership ledger (``syncer.models``).
"""
