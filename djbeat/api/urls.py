"""Routes under ``/api/``: the syncer's task resource (``include("syncer.api.urls")``, as any
project mounts it), the seed's endpoints, and the OpenAPI schema and its docs page.

The schema and its docs page are public (they hold no data); everything else needs a login.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from djbeat.api import seed

urlpatterns = [
    path("create", seed.CreateView.as_view(), name="seed-create"),
    path("update", seed.UpdateView.as_view(), name="seed-update"),
    path("delete", seed.DeleteView.as_view(), name="seed-delete"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("", include("syncer.api.urls")),
]
