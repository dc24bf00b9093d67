from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .admin_mixins import ROUND_FILTER, ServiceAdminMixin, ServiceInlineMixin, form_values
from .admin_widgets import FilterBoxes
from .exceptions import RoundTransitionError
from .models import (
    Community,
    Compound,
    Department,
    District,
    PlanComment,
    PlannedStage,
    Round,
    RoundEvent,
    StaffRole,
    Stage,
    Street,
)
from .scopes import GEOGRAPHY, Level, can_manage_round, scoped, scoped_geography
from .selectors import round_timeline
from .services import (
    plan_comment_answer,
    planned_stage_create,
    planned_stage_delete,
    planned_stage_update,
    round_create,
    round_transition,
    round_update,
)
from .wording import listing
from .workflow import STEPS, next_stage, previous_stage, refusals


class ScopedAdminMixin:
    """Show staff only the rows under their roles, and offer only those as choices.

    ``scope_root`` is the lookup from the model to the geography level ``scope_level``;
    ``scope_department``, where set, the lookup to the department whose staff may see a row.
    """

    scope_root = ""
    scope_level = Level.COMMUNITY
    scope_department = None

    def get_queryset(self, request):
        return scoped(
            request.user,
            super().get_queryset(request),
            self.scope_root,
            self.scope_level,
            self.scope_department,
        )

    def _limit_to_scope(self, db_field, request, kwargs):
        if db_field.related_model in GEOGRAPHY:
            kwargs["queryset"] = scoped_geography(request.user, db_field.related_model)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._limit_to_scope(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._limit_to_scope(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(District)
class DistrictAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_level = Level.DISTRICT
    search_fields = ["name"]


@admin.register(Street)
class StreetAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_level = Level.STREET
    list_display = ["name", "district"]
    list_filter = ["district"]
    search_fields = ["name"]


class CompoundInline(admin.TabularInline):
    model = Compound
    extra = 1


@admin.register(Community)
class CommunityAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "street"]
    list_filter = ["street"]
    search_fields = ["name"]
    inlines = [CompoundInline]


@admin.register(Compound)
class CompoundAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_root = "community"
    list_display = ["name", "community"]
    list_filter = ["community"]
    search_fields = ["name"]


class PlannedStageForm(forms.ModelForm):
    @property
    def row_label(self):
        """Name the row by its step, for the labels of its fields (admin/edit_inline/tabular.html)."""
        stage = self.instance.stage if self.instance.pk else self.initial.get("stage")
        return Stage(stage).label if stage in Stage.values else ""


class PlannedStageInline(ServiceInlineMixin, admin.TabularInline):
    model = PlannedStage
    form = PlannedStageForm
    max_num = len(STEPS)

    def parent_round(self, parent):
        return parent

    def get_extra(self, request, obj=None, **kwargs):
        return len(STEPS) if obj is None else 0

    def create(self, request, parent, form):
        return planned_stage_create(round=parent, fields=form_values(form, PlannedStage))

    def update(self, request, obj, changes):
        planned_stage_update(planned_stage=obj, changes=changes)

    def remove(self, request, obj):
        planned_stage_delete(planned_stage=obj)


class RoundAdminForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = [
            "community",
            "year",
            "title",
            "total_fund",
            "project_cap",
            "compounds",
            "rules",
            "max_choices",
            "tally_rule",
            "tie_break",
            "min_vote_share",
        ]

    def clean(self):
        cleaned = super().clean()
        community = cleaned.get("community")
        strangers = [
            c
            for c in cleaned.get("compounds", [])
            if c.community_id != getattr(community, "pk", None)
        ]
        if community and strangers:
            raise ValidationError(
                _("以下小区不属于%(community)s：%(names)s")
                % {"community": community.name, "names": listing(c.name for c in strangers)}
            )
        return cleaned


@admin.register(Round)
class RoundAdmin(ServiceAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    form = RoundAdminForm
    scope_root = "community"
    list_display = ["title", "community", "year", "stage"]
    list_filter = ["stage", "year", "community__street"]
    search_fields = ["title", "community__name"]
    readonly_fields = ["stage"]
    filter_horizontal = ["compounds"]
    inlines = [PlannedStageInline]
    change_form_template = "admin/rounds/round/change_form.html"
    fieldsets = [
        (None, {"fields": ["community", "year", "title", "stage"]}),
        (gettext_lazy("资金"), {"fields": ["total_fund", "project_cap"]}),
        (gettext_lazy("方案"), {"fields": ["compounds", "rules"]}),
        (
            gettext_lazy("投票规则"),
            {"fields": ["max_choices", "tally_rule", "tie_break", "min_vote_share"]},
        ),
    ]

    def edited_round(self, obj):
        return obj

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.filter_horizontal:
            kwargs["widget"] = FilterBoxes(db_field.verbose_name, is_stacked=False)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def create(self, request, form):
        return round_create(actor=request.user, fields=form_values(form, Round))

    def update(self, request, obj, changes):
        round_update(round=obj, changes=changes, actor=request.user)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, PlannedStageInline) and obj.pk is None:
            kwargs["initial"] = [{"stage": stage} for stage in STEPS]
        return kwargs

    def get_urls(self):
        return [
            path(
                "<path:object_id>/move/<str:to>/",
                self.admin_site.admin_view(self.move_view),
                name="rounds_round_move",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        round = self.get_object(request, object_id)
        if round is not None:
            upcoming = next_stage(round.stage)
            extra_context = {
                **(extra_context or {}),
                "timeline": round_timeline(round),
                "next_stage": upcoming,
                "refusals": refusals(round, upcoming) if upcoming else [],
                "previous_stage": previous_stage(round.stage)
                if request.user.is_superuser
                else None,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def move_view(self, request, object_id, to):
        round = get_object_or_404(self.get_queryset(request), pk=object_id)
        if to not in Stage.values or not can_manage_round(request.user, round):
            raise PermissionDenied
        to = Stage(to)
        change_url = reverse("admin:rounds_round_change", args=[round.pk])
        if request.method == "POST":
            try:
                round_transition(
                    round=round, to=to, actor=request.user, note=request.POST.get("note", "")
                )
            except RoundTransitionError as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("「%(round)s」已进入「%(stage)s」阶段。")
                    % {"round": round, "stage": to.label},
                    messages.SUCCESS,
                )
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": round,
            "to": to,
            "is_reopen": to == previous_stage(round.stage),
            "change_url": change_url,
            "title": _("确认阶段变更"),
        }
        return TemplateResponse(request, "admin/rounds/round/move_confirmation.html", context)


class RecordAdminMixin:
    """An admin for an append-only record: it can be read, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoundEvent)
class RoundEventAdmin(RecordAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_root = "round__community"
    list_display = ["round", "kind", "from_stage", "to_stage", "actor", "created_at"]
    list_filter = ["kind", "to_stage"]
    list_select_related = ["round", "actor"]


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "level", "district", "street", "community"]
    list_filter = ["level"]
    autocomplete_fields = ["user"]


@admin.register(Department)
class DepartmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_root = "street"
    scope_level = Level.STREET
    list_display = ["name", "street"]
    search_fields = ["name"]


@admin.register(PlanComment)
class PlanCommentAdmin(ServiceAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_root = "round__community"
    list_display = ["text", "name", "round", "created_at", "is_answered"]
    list_filter = [("answered_at", admin.EmptyFieldListFilter), ROUND_FILTER]
    fields = [
        "round",
        "name",
        "contact",
        "text",
        "created_at",
        "answer",
        "answered_by",
        "answered_at",
    ]
    readonly_fields = [
        "round",
        "name",
        "contact",
        "text",
        "created_at",
        "answered_by",
        "answered_at",
    ]

    @admin.display(boolean=True, description=gettext_lazy("已答复"))
    def is_answered(self, comment):
        return bool(comment.answer)

    def has_add_permission(self, request):
        return False

    def update(self, request, obj, changes):
        if "answer" in changes:
            plan_comment_answer(comment=obj, answer=changes["answer"], actor=request.user)
