from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rounds.admin import ScopedAdminMixin
from rounds.admin_mixins import ROUND_FILTER, ServiceAdminMixin, ServiceInlineMixin, form_values
from rounds.admin_widgets import LabelledFileWidget
from rounds.models import Round, Stage
from rounds.scopes import scoped

from .exceptions import ProposalError, ProposalImportError
from .forms import PhotosField, ScreeningForm, StaffProposalForm
from .importing import XLSX, proposal_import_template, proposals_import
from .models import (
    BallotItem,
    CostEstimate,
    NegativeListReason,
    Proposal,
    ProposalEvent,
    Roundtable,
    RoundtableOutcome,
    ScreeningDecision,
    SiteSurvey,
    Source,
    Status,
)
from .photos import photo_url
from .services import (
    ballot_item_create,
    ballot_item_delete,
    ballot_item_update,
    cost_estimate_record,
    proposal_screen,
    proposal_submit,
    proposal_update,
    proposals_merge,
    roundtable_create,
    roundtable_decide,
    roundtable_outcome_delete,
    roundtable_update,
    site_survey_create,
    site_survey_delete,
    site_survey_update,
)


def scoped_rounds(request):
    return scoped(request.user, Round.objects.all(), "community", "community")


def photo_thumbnails(photos):
    return format_html_join(
        " ", '<img src="{}" width="120" height="90" alt="">', ((photo_url(p),) for p in photos)
    )


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ProposalEventInline(ReadOnlyInline):
    model = ProposalEvent
    fields = ["created_at", "status", "note"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("处理经过")


class ScreeningDecisionInline(ReadOnlyInline):
    model = ScreeningDecision
    fields = ["decided_at", "passed", "reasons_and_notes", "decided_by"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("排除理由和说明"))
    def reasons_and_notes(self, decision):
        return format_html_join(
            "", "<div>{}</div>", ((exclusion,) for exclusion in decision.exclusions.all())
        )


class CostEstimateInline(ReadOnlyInline):
    model = CostEstimate
    fields = ["estimated_at", "department", "amount", "note", "estimated_by"]
    readonly_fields = fields


class SiteSurveyInline(ServiceInlineMixin, admin.StackedInline):
    model = SiteSurvey
    extra = 0

    def create(self, request, parent, form):
        return site_survey_create(proposal=parent, fields=form_values(form, SiteSurvey))

    def update(self, request, obj, changes):
        site_survey_update(survey=obj, changes=changes)

    def remove(self, request, obj):
        site_survey_delete(survey=obj)


class ProposalImportForm(forms.Form):
    round = forms.ModelChoiceField(
        queryset=Round.objects.none(),
        label=gettext_lazy("轮次"),
        help_text=gettext_lazy("只列出您负责的、正在项目征集阶段的轮次。"),
    )
    workbook = forms.FileField(
        label=gettext_lazy("Excel文件"),
        help_text=gettext_lazy("用下载的导入模板填写，每行一条纸质提议。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


@admin.register(Proposal)
class ProposalAdmin(ServiceAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    form = StaffProposalForm
    scope_root = "round__community"
    scope_department = "department"
    list_display = [
        "tracking_code",
        "title",
        "category",
        "compound",
        "status",
        "source",
        "department",
    ]
    list_filter = ["status", "category", "source", ROUND_FILTER]
    list_select_related = ["compound", "department"]
    search_fields = ["tracking_code", "title", "location"]
    readonly_fields = [
        "tracking_code",
        "status",
        "public_note",
        "merged_into",
        "ballot_item",
        "photos_shown",
    ]
    inlines = [ProposalEventInline, ScreeningDecisionInline, SiteSurveyInline, CostEstimateInline]
    actions = ["merge_selected"]
    change_form_template = "admin/proposals/proposal/change_form.html"

    @admin.display(description=gettext_lazy("照片"))
    def photos_shown(self, proposal):
        return photo_thumbnails(proposal.photos.all())

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # A view-only page (a department's) shows the stored photos, not the upload
            # fields, and not the proposer's phone, which only the community's staff need.
            return [name for name in fields if name not in ("photos", "consent", "phone")]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None:  # tracking code and consent were settled when the proposal came in
            form.base_fields["consent"].required = False
            form.base_fields["consent"].initial = True
        return form

    def get_changeform_initial_data(self, request):
        # Staff type in what came in on paper, mostly at the proposal point.
        return {"source": Source.PROPOSAL_POINT, **super().get_changeform_initial_data(request)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "round":
            kwargs["queryset"] = scoped_rounds(request).filter(stage=Stage.COLLECTION)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def create(self, request, form):
        return proposal_submit(
            proposal=form.instance, photos=form.cleaned_data["photos"], entered_by=request.user
        )

    def update(self, request, obj, changes):
        proposal_update(proposal=obj, changes=changes)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            _("已录入提议，查询码 %(code)s。请告知提议人凭查询码和手机号码查询进度。")
            % {"code": obj.tracking_code},
            messages.SUCCESS,
        )
        return redirect(reverse("admin:proposals_proposal_change", args=[obj.pk]))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/screen/",
                self.admin_site.admin_view(self.screen_view),
                name="proposals_proposal_screen",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="proposals_proposal_import",
            ),
            path(
                "import/template/",
                self.admin_site.admin_view(self.import_template_view),
                name="proposals_proposal_import_template",
            ),
            *super().get_urls(),
        ]

    def screen_view(self, request, object_id):
        proposal = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not request.user.has_perm("proposals.add_screeningdecision"):
            self.message_user(request, _("您无权进行七不入筛选。"), messages.ERROR)
            return redirect(reverse("admin:proposals_proposal_change", args=[proposal.pk]))
        form = ScreeningForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                proposal_screen(proposal=proposal, actor=request.user, exclusions=form.exclusions)
            except ProposalError as refusal:
                form.add_error(None, str(refusal))
            else:
                self.message_user(request, _("已记录七不入筛选结果。"), messages.SUCCESS)
                return redirect(reverse("admin:proposals_proposal_change", args=[proposal.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": proposal,
            "form": form,
            "photos": photo_thumbnails(proposal.photos.all()),
            "title": _("七不入筛选"),
        }
        return TemplateResponse(request, "admin/proposals/proposal/screen.html", context)

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ProposalImportForm(request.POST or None, request.FILES or None)
        form.fields["round"].queryset = scoped_rounds(request).filter(stage=Stage.COLLECTION)
        problems = []
        if request.method == "POST" and form.is_valid():
            try:
                proposals = proposals_import(
                    round=form.cleaned_data["round"],
                    workbook_file=form.cleaned_data["workbook"],
                    actor=request.user,
                )
            except ProposalImportError as refusal:
                form.add_error(None, str(refusal))
                problems = refusal.problems
            else:
                self.message_user(
                    request,
                    ngettext("已导入%(count)d条提议。", "已导入%(count)d条提议。", len(proposals))
                    % {"count": len(proposals)},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:proposals_proposal_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "problems": problems,
            "title": _("从Excel导入纸质提议"),
        }
        return TemplateResponse(request, "admin/proposals/proposal/import.html", context)

    def import_template_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return HttpResponse(
            proposal_import_template(),
            content_type=XLSX,
            headers={
                "Content-Disposition": content_disposition_header(
                    as_attachment=True, filename=_("提议导入模板.xlsx")
                )
            },
        )

    @admin.action(description=gettext_lazy("合并所选提议"), permissions=["change"])
    def merge_selected(self, request, queryset):
        proposals = list(queryset.order_by("created_at"))
        if "into" in request.POST:
            into = get_object_or_404(queryset, pk=request.POST["into"])
            try:
                proposals_merge(into=into, sources=proposals, actor=request.user)
            except ProposalError as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("已将%(count)d条提议合并到 %(code)s。")
                    % {"count": len(proposals) - 1, "code": into.tracking_code},
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "proposals": proposals,
            "title": _("合并提议"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/proposals/proposal/merge.html", context)


@admin.register(NegativeListReason)
class NegativeListReasonAdmin(admin.ModelAdmin):
    list_display = ["number", "title"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _decide(roundtable, outcome, actor):
    """Record what the roundtable decided for one proposal, as the inline row says it."""
    return roundtable_decide(
        roundtable=roundtable,
        proposal=outcome.proposal,
        on_ballot=outcome.on_ballot,
        recommended_order=outcome.recommended_order,
        reason=outcome.reason,
        actor=actor,
    )


class RoundtableOutcomeInline(ServiceInlineMixin, admin.TabularInline):
    model = RoundtableOutcome
    fields = ["proposal", "on_ballot", "recommended_order", "reason"]
    extra = 3

    def parent_round(self, parent):
        return parent.round

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if "proposal" in formset.form.base_fields:
            # Screened proposals of the roundtable's round, and those it has already decided.
            candidates = Proposal.objects.filter(
                status__in=[Status.SCREENED_IN, Status.NOT_ON_BALLOT]
            )
            if obj is None:
                candidates = candidates.filter(
                    round__in=scoped_rounds(request), round__stage=Stage.SCREENING
                )
            else:
                candidates = candidates.filter(round=obj.round) | Proposal.objects.filter(
                    roundtable_outcome__roundtable=obj
                )
            formset.form.base_fields["proposal"].queryset = candidates
        return formset

    def create(self, request, parent, form):
        return _decide(parent, form.instance, request.user)

    def update(self, request, obj, changes):
        if "proposal" in changes:  # the row now speaks of another proposal: withdraw the old
            old = RoundtableOutcome.objects.get(pk=obj.pk)
            roundtable_outcome_delete(outcome=old, actor=request.user)
        _decide(obj.roundtable, obj, request.user)

    def remove(self, request, obj):
        roundtable_outcome_delete(outcome=obj, actor=request.user)


@admin.register(Roundtable)
class RoundtableAdmin(ServiceAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_root = "round__community"
    list_display = ["held_on", "place", "round", "attendee_count"]
    inlines = [RoundtableOutcomeInline]
    formfield_overrides = {models.FileField: {"widget": LabelledFileWidget}}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "round":
            kwargs["queryset"] = scoped_rounds(request).filter(stage=Stage.SCREENING)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def create(self, request, form):
        return roundtable_create(fields=form_values(form, Roundtable))

    def update(self, request, obj, changes):
        roundtable_update(roundtable=obj, changes=changes)


@admin.register(CostEstimate)
class CostEstimateAdmin(ServiceAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    fields = ["proposal", "department", "amount", "note"]
    scope_root = "proposal__round__community"
    scope_department = "department"
    list_display = ["proposal", "department", "amount", "estimated_by", "estimated_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        user = request.user
        departments = [r.department_id for r in user.staff_roles.all() if r.department_id]
        if db_field.name == "proposal":
            candidates = Proposal.objects.filter(
                status=Status.SCREENED_IN, round__stage=Stage.SCREENING
            )
            if not user.is_superuser:
                candidates = candidates.filter(department__in=departments)
            kwargs["queryset"] = candidates
        if db_field.name == "department" and not user.is_superuser:
            kwargs["queryset"] = db_field.related_model.objects.filter(pk__in=departments)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def create(self, request, form):
        data = form.cleaned_data
        return cost_estimate_record(
            proposal=data["proposal"],
            department=data["department"],
            amount=data["amount"],
            note=data["note"],
            actor=request.user,
        )


class BallotItemForm(forms.ModelForm):
    proposals = forms.ModelMultipleChoiceField(
        queryset=Proposal.objects.none(), label=gettext_lazy("来源提议")
    )
    photos = PhotosField(label=gettext_lazy("照片"))

    class Meta:
        model = BallotItem
        fields = ["round", "title", "description", "category", "compound", "location", "cost"]


@admin.register(BallotItem)
class BallotItemAdmin(ServiceAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    form = BallotItemForm
    scope_root = "round__community"
    list_display = ["number", "title", "round", "cost", "category"]
    list_filter = [ROUND_FILTER]
    readonly_fields = ["number", "photos_shown"]

    @admin.display(description=gettext_lazy("照片"))
    def photos_shown(self, item):
        return photo_thumbnails(item.photos.all())

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None:
            form.base_fields.pop("proposals", None)
            form.base_fields.pop("photos", None)
        else:
            form.base_fields["proposals"].queryset = scoped(
                request.user,
                Proposal.objects.filter(
                    status=Status.SCREENED_IN, roundtable_outcome__on_ballot=True
                ),
                "round__community",
                "community",
            )
            form.base_fields["proposals"].help_text = _(
                "邻里圆桌会推荐入库的提议；预算不填时取职能部门的最新估算。"
            )
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "round":
            kwargs["queryset"] = scoped_rounds(request).filter(stage=Stage.SCREENING)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def create(self, request, form):
        data = form.cleaned_data
        return ballot_item_create(
            round=data["round"],
            proposals=list(data["proposals"]),
            title=data["title"],
            description=data["description"],
            category=data["category"],
            compound=data["compound"],
            location=data["location"],
            cost=data["cost"],
            photos=data["photos"],
            actor=request.user,
        )

    def update(self, request, obj, changes):
        ballot_item_update(item=obj, changes=changes)

    def remove(self, request, obj):
        ballot_item_delete(item=obj, actor=request.user)
