"""Routes under ``/api/``: the seed's endpoints, the task resource, the OpenAPI schema and docs.

The schema and its docs page are public (they hold no data); everything else needs a login.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from djbeat.api import seed, views

router = SimpleRouter(trailing_slash=True)
router.register("tasks", views.TaskViewSet, basename="task")

urlpatterns = [
    path("create", seed.CreateView.as_view(), name="seed-create"),
    path("update", seed.UpdateView.as_view(), name="seed-update"),
    path("delete", seed.DeleteView.as_view(), name="seed-delete"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("", include(router.urls)),
]
