"""The admin's load picture: how many runs start in each minute of the next day (or week), per
queue or per task, for the live tables (each task from its own last run) — the chart of
``syncer timeline``, served at ``/admin/django_celery_beat/periodictask/timeline/``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.safestring import mark_safe

TEMPLATE = "admin/syncer/periodictask/timeline.html"


def timeline_view(model_admin: Any, request: HttpRequest) -> TemplateResponse:
    # Imported when the page is shown: this module is imported by every django.setup() of the
    # project (the admin's autodiscovery), and the timeline brings the whole read and validation
    # path (beat's schedule objects, the core's timeline and chart).
    from syncer.core.timeline import WINDOWS
    from syncer.core.timeline_render import svg
    from syncer.db.timeline import from_live_rows

    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    window = request.GET.get("window", "24h")
    window = window if window in WINDOWS else "24h"
    by = "task" if request.GET.get("by") == "task" else "queue"
    timeline = from_live_rows(timezone.now(), WINDOWS[window], by)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Load picture",
        "opts": model_admin.model._meta,
        # The chart escapes every text it holds (task and queue names: XML-escaped).
        "chart": mark_safe(svg(timeline, fit=True)),
        "peaks": timeline.peaks()[:30],
        "total_runs": timeline.total_runs,
        "window": window,
        "windows": list(WINDOWS),
        "by": by,
    }
    return TemplateResponse(request, TEMPLATE, context)
