"""``include("syncer.api.urls")``: the task resource, ``tasks/`` and ``tasks/<id>/``, and the
pause of a declared task, ``tasks/<id>/pause`` and ``tasks/<id>/resume`` (a trailing slash
allowed).

The routes are named ``syncer:task-list``, ``syncer:task-detail``, ``syncer:task-pause`` and
``syncer:task-resume``; mount them under any prefix
(``path("api/", include("syncer.api.urls"))``). The OpenAPI schema is the project's own
(drf-spectacular's ``SpectacularAPIView``): the views carry their schema annotations.
"""

from django.urls import URLPattern, include, path, re_path
from rest_framework.routers import SimpleRouter

from syncer.api import views

app_name = "syncer"

router = SimpleRouter(trailing_slash=True)
router.register("tasks", views.TaskViewSet, basename="task")


def _detail(action: str) -> URLPattern:
    return re_path(
        rf"^tasks/(?P<pk>[^/]+)/{action}(?:/)?$",
        views.TaskViewSet.as_view({"post": action}, detail=True, basename="task"),
        name=f"task-{action}",
    )


urlpatterns = [_detail("pause"), _detail("resume"), path("", include(router.urls))]
