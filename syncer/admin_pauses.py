"""The admin's emergency pause (``syncer.core.pauses``): the "Pause selected declared tasks" action
with its form (a reason, and how long), "Resume selected paused tasks", the paused column and
filter of the task list. The writes are ``syncer.db.pause_writes``' (under the apply lock, beat
told once, the audit log), by the logged-in user; tasks no file declares are skipped with a
message (a pause overrides a declaration: an unmanaged task is simply disabled)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from syncer.core.errors import TemporaryFault
from syncer.core.pauses import REASON_MAX, PauseError, Spelling, check_reason, expiry
from syncer.core.words import plural
from syncer.models import Pause

# The writes (syncer.db.pause_writes, and through it the whole write path) are imported when an
# action runs: this module is imported by every django.setup() of the project (the admin's
# autodiscovery), that of `syncer validate`, of workers and of beat included.
if TYPE_CHECKING:
    from syncer.db.pause_writes import Done

TEMPLATE = "admin/syncer/periodictask/pause.html"
# The admin's words for the inputs of a pause, in the messages of syncer.core.pauses.
ADMIN_SPELLING = Spelling("a reason", "the duration", "the end", "indefinitely")
FOR, UNTIL, INDEFINITELY = "for", "until", "indefinitely"
# syncer.core.pauses names the input at fault (PauseError.field): the form's field that holds it.
_FORM_FIELD = {"reason": "reason", "for": "duration", "until": "until"}


def pause_of(task: PeriodicTask) -> Pause | None:
    return getattr(task, "syncer_pause", None)  # a missing reverse one-to-one raises


def describe_pause(pause: Pause | None) -> str:
    """``reason (by alice, until 2026-12-01 09:00 UTC)``; empty when not paused."""
    if pause is None:
        return ""
    until = "indefinitely" if pause.until is None else f"until {_local(pause.until)}"
    return f"{pause.reason} (by {pause.paused_by} since {_local(pause.paused_at)}, {until})"


def _local(moment: Any) -> str:
    return str(timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z"))


class PauseForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="Why: shown in plans, status and this list.",
    )
    length = forms.ChoiceField(
        label="How long",
        choices=[
            (FOR, "For a duration"),
            (UNTIL, "Until a date and time"),
            (INDEFINITELY, "Indefinitely, until resumed"),
        ],
        initial=FOR,
        widget=forms.RadioSelect,
    )
    duration = forms.CharField(
        required=False, max_length=100, help_text="For a duration: e.g. 30m, 2h, 1d."
    )
    until = forms.DateTimeField(
        required=False,
        help_text=f"Until: YYYY-MM-DD HH:MM in {settings.TIME_ZONE}, or ISO 8601 with an offset.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        how = data.get("length")
        if "reason" not in data or how is None:
            return data  # their own errors are shown
        try:
            data["reason"] = check_reason(data["reason"], ADMIN_SPELLING)
            data["end"] = expiry(
                timezone.now(),
                duration=(data.get("duration") or None) if how == FOR else None,
                until=data.get("until") if how == UNTIL else None,
                indefinitely=how == INDEFINITELY,
                spelling=ADMIN_SPELLING,
            )
        except PauseError as exc:
            # "say how long" (nothing given) belongs beside the input the choice asks for
            self.add_error(_FORM_FIELD.get(exc.field or how), str(exc))
        return data


def pause_action(
    model_admin: Any, request: HttpRequest, queryset: QuerySet[Any]
) -> TemplateResponse | None:
    """The form first (Django's intermediate-page pattern: the selection rides along in hidden
    inputs), then the pause of the declared tasks of the selection."""
    declared = list(queryset.filter(managed_by_syncer__isnull=False).order_by("name"))
    skipped = queryset.filter(managed_by_syncer__isnull=True).count()
    form = PauseForm(request.POST if "apply" in request.POST else None)
    if not declared:
        model_admin.message_user(request, _NONE_DECLARED, level=messages.WARNING)
        return None
    if form.is_bound and form.is_valid():
        _left(model_admin, request, skipped, "not declared in a schedule file", _INSTEAD)
        end = form.cleaned_data["end"]
        from syncer.db import pause_writes  # (see TYPE_CHECKING above)

        done = _write(
            model_admin,
            request,
            lambda: pause_writes.pause(
                [task.name for task in declared],
                reason=form.cleaned_data["reason"],
                by=request.user.get_username(),
                until=end,
            ),
        )
        if done:
            until = "indefinitely (until resumed)" if end is None else f"until {_local(end)}"
            names = ", ".join(d.name for d in done)
            model_admin.message_user(request, f"Paused {until}: {names}.", messages.SUCCESS)
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Pause declared tasks",
        "opts": model_admin.model._meta,
        "form": form,
        "declared": [(task, describe_pause(pause_of(task))) for task in declared],
        "skipped": skipped,
        "selected": queryset.values_list("pk", flat=True),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, TEMPLATE, context)


def resume_action(model_admin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    paused = list(queryset.filter(syncer_pause__isnull=False).order_by("name"))
    _left(model_admin, request, queryset.count() - len(paused), "not paused")
    if not paused:
        return
    names = [task.name for task in paused]
    from syncer.db import pause_writes  # (see TYPE_CHECKING above)

    done = _write(
        model_admin,
        request,
        lambda: pause_writes.resume(names, by=request.user.get_username()),
    )
    enabled = ", ".join(d.name for d in done if d.enabled)
    still = ", ".join(d.name for d in done if not d.enabled)
    parts = [
        f"Resumed and enabled again (next run counted from now): {enabled}." if enabled else "",
        f"Resumed, still disabled as their files declare: {still}." if still else "",
    ]
    if done:
        model_admin.message_user(request, " ".join(filter(None, parts)), messages.SUCCESS)


_INSTEAD = " (disable an unmanaged task instead)"
_NONE_DECLARED = (
    f"No selected task is declared in a schedule file: only those can be paused{_INSTEAD}."
)


def _write(model_admin: Any, request: HttpRequest, write: Callable[[], list[Done]]) -> list[Done]:
    """The write, or its refusal as an error message (a task deleted or no longer declared in
    the meantime, the apply lock busy): the list page again, never a server error."""
    try:
        return write()
    except (PauseError, TemporaryFault) as exc:
        model_admin.message_user(request, str(exc), level=messages.ERROR)
        return []


def _left(model_admin: Any, request: HttpRequest, count: int, why: str, hint: str = "") -> None:
    if count:
        verb = "is" if count == 1 else "are"
        model_admin.message_user(
            request,
            f"{plural(count, 'task')} of the selection {verb} {why} and left unchanged{hint}.",
            level=messages.WARNING,
        )
