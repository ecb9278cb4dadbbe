"""``include("syncer.api.urls")``: the task resource, ``tasks/`` and ``tasks/<id>/``.

The routes are named ``syncer:task-list`` and ``syncer:task-detail``; mount them under any prefix
(``path("api/", include("syncer.api.urls"))``). The OpenAPI schema is the project's own
(drf-spectacular's ``SpectacularAPIView``): the views carry their schema annotations.
"""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from syncer.api import views

app_name = "syncer"

router = SimpleRouter(trailing_slash=True)
router.register("tasks", views.TaskViewSet, basename="task")

urlpatterns = [path("", include(router.urls))]
