"""The admin beside git: django-celery-beat's admin, with the syncer's tasks shown and protected.

A task declared in a schedule file (it has a ``ManagedTask`` row) is shown with its file:line,
revision and ownership scope (a column and a filter), and is read-only here: no field can change,
it cannot be deleted, and the enable, disable and toggle actions skip it. An edit here would be
reverted by the next apply anyway; the file is where it changes. What the admin may do to it is
what overrides no declaration for good: run it once now, and pause or resume it
(``syncer.admin_pauses``: a pause is shown in the list, with a filter, and on its page).
Schedule rows that such tasks use are read-only too: editing one would change those tasks, and
deleting one would CASCADE-delete them. Admin writes take the apply lock, like every other writer.
The apply history and the ownership ledger are shown read-only.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import path
from django.utils import timezone
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import PeriodicTask

from syncer.admin_pauses import (
    describe_pause,
    pause_action,
    pause_of,
    resume_action,
)
from syncer.admin_timeline import timeline_view
from syncer.core import rules
from syncer.db import changelog
from syncer.db.kinds import KINDS
from syncer.db.lock import locked_transaction
from syncer.models import ApplyRecord, ManagedTask

EDIT_THE_FILE = (
    "This task is declared in a schedule file and managed by the syncer: it is read-only here. "
    "Edit the file named below and apply it instead."
)


def ledger_of(task: PeriodicTask) -> ManagedTask | None:
    return getattr(task, "managed_by_syncer", None)  # a missing reverse one-to-one raises


def describe(ledger: ManagedTask) -> str:
    revision = f" (revision {ledger.revision})" if ledger.revision else ""
    return f"{ledger.source}{revision}"


class ScopeFilter(admin.SimpleListFilter):
    """The owning scope of a managed task (``syncer.core.scopes``): the scopes in the ledger."""

    title = "ownership scope"
    parameter_name = "scope"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        scopes = ManagedTask.objects.order_by("scope").values_list("scope", flat=True).distinct()
        return [(scope, scope) for scope in scopes]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value():
            return queryset.filter(managed_by_syncer__scope=self.value())
        return queryset


class HasRowFilter(admin.SimpleListFilter):
    """Yes / no: the task has a row of one of the syncer's tables (``relation``)."""

    relation = ""
    labels = ("Yes", "No")

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", self.labels[0]), ("no", self.labels[1])]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("yes", "no"):
            return queryset.filter(**{f"{self.relation}__isnull": self.value() == "no"})
        return queryset


class ManagedFilter(HasRowFilter):
    title = "managed by the syncer"
    parameter_name = "managed"
    relation = "managed_by_syncer"
    labels = ("Yes (declared in a file)", "No")


class PausedFilter(HasRowFilter):
    title = "paused"
    parameter_name = "paused"
    relation = "syncer_pause"
    labels = ("Paused", "Not paused")


admin.site.unregister(PeriodicTask)


class PeriodicTaskForm(beat_admin.PeriodicTaskForm):
    """django-celery-beat's form, with the name rule every writer applies: no control,
    bidirectional or invisible character (``syncer.core.rules.name_problem``)."""

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        message = rules.name_problem(name)
        if message:
            raise forms.ValidationError(message)
        return name


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin):
    form = PeriodicTaskForm
    change_list_template = "admin/syncer/periodictask/change_list.html"

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(partial(timeline_view, self))
        own = [path("timeline/", view, name="syncer_periodictask_timeline")]
        return own + super().get_urls()

    list_display = (
        *beat_admin.PeriodicTaskAdmin.list_display,
        "managed_source",
        "managed_scope",
        "paused",
    )
    list_filter = [
        ManagedFilter,
        PausedFilter,
        ScopeFilter,
        *beat_admin.PeriodicTaskAdmin.list_filter,
    ]
    readonly_fields = (
        *beat_admin.PeriodicTaskAdmin.readonly_fields,
        "managed_source",
        "managed_scope",
        "paused",
    )
    actions = (*beat_admin.PeriodicTaskAdmin.actions, "pause_tasks", "resume_tasks")

    @admin.display(description="managed by the syncer (file:line)")
    def managed_source(self, task: PeriodicTask) -> str:
        ledger = ledger_of(task)
        return describe(ledger) if ledger else "-"

    @admin.display(description="ownership scope")
    def managed_scope(self, task: PeriodicTask) -> str:
        ledger = ledger_of(task)
        return ledger.scope if ledger else "-"

    @admin.display(description="paused")
    def paused(self, task: PeriodicTask) -> str:
        return describe_pause(pause_of(task))

    def get_queryset(self, request: HttpRequest) -> QuerySet[PeriodicTask]:
        return super().get_queryset(request).select_related("managed_by_syncer", "syncer_pause")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _unmanaged(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _unmanaged(obj) and super().has_delete_permission(request, obj)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if _unmanaged(obj):
            return fieldsets
        # The read-only page shows model values: drop the form-only task picker.
        shown = [
            (title, {**options, "fields": [f for f in options["fields"] if f != "regtask"]})
            for title, options in fieldsets
        ]
        return [
            (
                "Managed by the syncer",
                {
                    "fields": ["managed_source", "managed_scope", "paused"],
                    "description": EDIT_THE_FILE,
                },
            ),
            *shown,
        ]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with locked_transaction():
            super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with locked_transaction():
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with locked_transaction():
            super().delete_queryset(request, self._skip_managed(request, queryset))

    # django-celery-beat's bulk writes, each on the unmanaged tasks of the selection only.
    @admin.action(description="Enable selected tasks")
    def enable_tasks(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._bulk(super().enable_tasks, request, queryset, writes=True)

    @admin.action(description="Disable selected tasks")
    def disable_tasks(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._bulk(super().disable_tasks, request, queryset, writes=True)

    @admin.action(description="Toggle activity of selected tasks")
    def toggle_tasks(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._bulk(super().toggle_tasks, request, queryset, writes=True)

    # Running once sends the task now and changes no row: declared tasks too.
    @admin.action(description="Run selected tasks")
    def run_tasks(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().run_tasks(request, queryset)

    @admin.action(description="Pause selected declared tasks", permissions=["change"])
    def pause_tasks(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        return pause_action(self, request, queryset)

    @admin.action(description="Resume selected paused tasks", permissions=["change"])
    def resume_tasks(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        resume_action(self, request, queryset)

    def _bulk(
        self, action: Any, request: HttpRequest, queryset: QuerySet[Any], writes: bool = False
    ) -> None:
        with locked_transaction():
            unmanaged = self._skip_managed(request, queryset)
            rows = list(unmanaged.values_list("id", "name"))
            if rows:
                action(request, unmanaged)
            if rows and writes:
                # django-celery-beat's actions write with QuerySet.update() and bump by hand: log
                # the rows with that bump, so that beat reloads just them (syncer.db.changelog).
                changelog.append(rows, changelog.current_stamp() or timezone.now())

    def _skip_managed(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        skipped = queryset.filter(managed_by_syncer__isnull=False).count()
        if skipped:
            self.message_user(
                request,
                f"{skipped} selected task{'s are' if skipped != 1 else ' is'} managed by the "
                "syncer and left unchanged: edit the schedule files instead.",
                level=messages.WARNING,
            )
        return queryset.filter(managed_by_syncer__isnull=True)


def _unmanaged(obj: Any) -> bool:
    return obj is None or ledger_of(obj) is None


class ScheduleGuard:
    """A schedule row used by a managed task is read-only and cannot be deleted."""

    fk = ""  # PeriodicTask's foreign key to this schedule model

    def _used_by_managed(self, obj: Model | None) -> bool:
        return (
            obj is not None
            and PeriodicTask.objects.filter(
                **{self.fk: obj}, managed_by_syncer__isnull=False
            ).exists()
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._used_by_managed(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._used_by_managed(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


for _kind in KINDS.values():
    _base = type(admin.site.get_model_admin(_kind.model))
    admin.site.unregister(_kind.model)
    admin.site.register(_kind.model, type(_base.__name__, (ScheduleGuard, _base), {"fk": _kind.fk}))


class ReadOnlyAdmin(admin.ModelAdmin):
    """History and ownership are written by the syncer only."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApplyRecord)
class ApplyRecordAdmin(ReadOnlyAdmin):
    list_display = (
        "applied_at", "scope", "revision", "applied_by", "source", "created", "updated",
        "deleted", "adopted", "renamed", "taken_over", "unchanged",
    )  # fmt: skip
    list_filter = ("scope",)
    search_fields = ("revision", "applied_by", "source")
    date_hierarchy = "applied_at"


@admin.register(ManagedTask)
class ManagedTaskAdmin(ReadOnlyAdmin):
    list_display = ("task", "scope", "source", "revision", "applied_at")
    list_filter = ("scope",)
    list_select_related = ("task",)
    search_fields = ("task__name", "source_path", "revision")
