"""URL routes: the admin and (in djbeat.api) the REST API."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("djbeat.api.urls")),
]

# Under /api/ a URL that matches no route still answers JSON (the schema's 404 body).
handler404 = "syncer.api.errors.not_found"
