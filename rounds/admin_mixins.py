"""The admin as a face on the services: every write calls one, every refusal is a message."""

from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse

from .editing import editable_fields, is_removable
from .exceptions import DomainError

# Filter a list by round, offering only the rounds of the rows the user may see.
ROUND_FILTER = ("round", admin.RelatedOnlyFieldListFilter)


def form_values(form, model):
    """Return {field: value} of ``form``'s cleaned data for the fields ``model`` lets change."""
    return {
        name: value
        for name, value in form.cleaned_data.items()
        if name in getattr(model, "editable_in", {})
    }


def _changes(form, model):
    """Return {field: new value} for the fields of ``model`` that ``form`` changed."""
    return {
        name: form.cleaned_data[name]
        for name in form.changed_data
        if name in getattr(model, "editable_in", {})
    }


def _with_frozen(readonly, model, round):
    """Return ``readonly`` and the fields of ``model`` that may not change at ``round``'s stage."""
    editable = editable_fields(model, round)
    return readonly + [
        name for name in model.editable_in if name not in editable and name not in readonly
    ]


def _refused(form_class, refusal):
    """Return a subclass of ``form_class`` that shows ``refusal`` and never validates."""

    def clean(self):
        cleaned = super(refused, self).clean()
        self.add_error(None, refusal)
        return cleaned

    refused = type(form_class.__name__, (form_class,), {"clean": clean})
    return refused


class ServiceAdminMixin:
    """An admin whose every write is a domain service, whose refusals come back as messages.

    Subclasses define the services they offer: ``create(request, form)`` returns the new
    object, ``update(request, obj, changes)`` applies {field: value}, ``remove(request, obj)``
    deletes. A domain error (``rounds.exceptions.DomainError``: RoundTransitionError,
    ProposalError, VotingError…) rolls the whole save back and shows the form again with what
    was typed, and the refusal in ``messages.error``. The fields that the model's
    ``editable_in`` rule freezes at the stage of the row's round (``edited_round``) are shown
    read-only. Inlines that are ``ServiceInlineMixin``s save through their services too.
    """

    def edited_round(self, obj):
        """Return the round whose stage decides what of ``obj`` may change."""
        return obj.round

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and hasattr(self.model, "editable_in"):
            return _with_frozen(readonly, self.model, self.edited_round(obj))
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if refusal := getattr(request, "service_refusal", None):
            return _refused(form, refusal)
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as refusal:
            # The save was rolled back; show the form again, with what was typed.
            self.message_user(request, str(refusal), messages.ERROR)
            request.service_refusal = str(refusal)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            info = self.opts.app_label, self.opts.model_name
            return redirect(reverse("admin:{}_{}_change".format(*info), args=[object_id]))

    def response_action(self, request, queryset, **kwargs):
        try:
            with transaction.atomic():
                return super().response_action(request, queryset, **kwargs)
        except DomainError as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return redirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        if change:
            self.update(request, obj, _changes(form, self.model))
            obj.refresh_from_db()
            return
        saved = self.create(request, form)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def has_delete_permission(self, request, obj=None):
        """Only an admin that offers a ``remove`` service deletes; the others keep every row."""
        return hasattr(self, "remove") and super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        self.remove(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.remove(request, obj)

    def save_related(self, request, form, formsets, change):
        # The services set the many-to-many fields with the rest; only the inlines are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        inline = getattr(formset, "service_inline", None)
        if inline is None:
            super().save_formset(request, form, formset, change)
            return
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.deleted_forms:
            if inline_form.instance.pk is not None:
                inline.remove(request, inline_form.instance)
                formset.deleted_objects.append(inline_form.instance)
        for inline_form in formset.forms:
            if inline_form in formset.deleted_forms or not inline_form.has_changed():
                continue
            if inline_form.instance.pk is None:
                formset.new_objects.append(inline.create(request, form.instance, inline_form))
            else:
                changes = _changes(inline_form, formset.model)
                inline.update(request, inline_form.instance, changes)
                formset.changed_objects.append((inline_form.instance, list(changes)))


class ServiceInlineMixin:
    """An inline whose rows are written by services, through its ServiceAdminMixin parent.

    Subclasses define ``create(request, parent, form)`` returning the new row,
    ``update(request, obj, changes)`` and ``remove(request, obj)``, and ``parent_round``. The
    rows are read-only when the rule freezes them at the parent's round's stage.
    """

    def parent_round(self, parent):
        """Return the round whose stage decides what the inline's rows may change."""
        return parent.round

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.service_inline = self
        return formset

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            return _with_frozen(readonly, self.model, self.parent_round(obj))
        return readonly

    def has_add_permission(self, request, obj=None):
        allowed = super().has_add_permission(request, obj)
        return allowed and (obj is None or is_removable(self.model, self.parent_round(obj)))

    def has_delete_permission(self, request, obj=None):
        allowed = hasattr(self, "remove") and super().has_delete_permission(request, obj)
        return allowed and (obj is None or is_removable(self.model, self.parent_round(obj)))
