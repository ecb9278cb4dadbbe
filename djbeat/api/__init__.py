"""The REST API for periodic tasks: the seed's three endpoints and the ``/api/tasks/`` resource.

A thin shell: serializers validate, ``syncer.db.single`` writes (under the apply lock), and
``errors`` maps the syncer's errors to statuses. It has no models, so it is not a Django app.
"""
