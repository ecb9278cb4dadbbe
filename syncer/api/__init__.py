"""The REST API for periodic tasks, ``tasks/`` (list, retrieve, create, update, delete), for a
host project to mount with one line: ``path("api/", include("syncer.api.urls"))``.

A thin shell: serializers validate, ``syncer.db.task_writes`` writes (under the apply lock), and
``errors`` maps the syncer's errors to statuses. Tasks declared in schedule files answer 409.
Needs the ``api`` extra (Django REST framework and drf-spectacular).
"""
