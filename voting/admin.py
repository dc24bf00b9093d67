from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy

from proposals.admin import scoped_rounds
from rounds.admin import RecordAdminMixin, ScopedAdminMixin
from rounds.admin_mixins import ROUND_FILTER, ServiceAdminMixin, ServiceInlineMixin, form_values
from rounds.models import BEFORE_VOTING, Stage

from .models import (
    BallotStation,
    CertifiedTally,
    Lot,
    StationClosure,
    StationOfficer,
    VoidedTally,
)
from .selectors import eligible_officers
from .services import (
    lot_record,
    station_create,
    station_delete,
    station_officer_add,
    station_officer_remove,
    station_officer_update,
    station_update,
    tally_certify,
)


class StationOfficerInline(ServiceInlineMixin, admin.TabularInline):
    model = StationOfficer
    extra = 1

    def parent_round(self, parent):
        return parent.round

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if "user" in formset.form.base_fields:
            formset.form.base_fields["user"].queryset = eligible_officers(obj and obj.round)
        return formset

    def create(self, request, parent, form):
        return station_officer_add(station=parent, fields=form_values(form, StationOfficer))

    def update(self, request, obj, changes):
        station_officer_update(officer=obj, changes=changes)

    def remove(self, request, obj):
        station_officer_remove(officer=obj)


class VotingRoundMixin(ServiceAdminMixin, ScopedAdminMixin):
    scope_root = "round__community"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "round":
            kwargs["queryset"] = scoped_rounds(request).filter(stage__in=self.round_stages)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    round_stages = BEFORE_VOTING  # stations are part of the plan; none is added during voting


@admin.register(BallotStation)
class BallotStationAdmin(VotingRoundMixin, admin.ModelAdmin):
    list_display = ["name", "round", "mode", "opens_on", "closes_on", "is_closed"]
    list_filter = ["mode", ROUND_FILTER]
    inlines = [StationOfficerInline]

    @admin.display(boolean=True, description=gettext_lazy("已关闭"))
    def is_closed(self, station):
        return hasattr(station, "closure")

    def has_change_permission(self, request, obj=None):
        closed = obj is not None and self.is_closed(obj)
        return not closed and super().has_change_permission(request, obj)

    def create(self, request, form):
        return station_create(fields=form_values(form, BallotStation))

    def update(self, request, obj, changes):
        station_update(station=obj, changes=changes)

    def remove(self, request, obj):
        station_delete(station=obj)


@admin.register(StationClosure)
class StationClosureAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_root = "station__round__community"
    list_display = [
        "station",
        "voters_marked",
        "ballots_counted",
        "valid",
        "blank",
        "invalid",
        "closed_at",
    ]
    readonly_fields = [f.name for f in StationClosure._meta.fields] + ["officers"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RecordAdmin(VotingRoundMixin, admin.ModelAdmin):
    """An admin of records that a voting service adds and nothing changes afterwards."""

    round_stages = [Stage.VOTING]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LotForm(forms.ModelForm):
    order = forms.CharField(
        label=gettext_lazy("抽签结果"),
        help_text=gettext_lazy("按抽签结果排列的项目编码，先者优先，用逗号分隔，例如 4,2"),
    )

    class Meta:
        model = Lot
        fields = ["round", "order", "witnesses"]

    def clean_order(self):
        return [
            ref.strip()
            for ref in self.cleaned_data["order"].replace("，", ",").split(",")
            if ref.strip()
        ]


@admin.register(Lot)
class LotAdmin(RecordAdmin):
    form = LotForm
    list_display = ["round", "__str__", "witnesses", "drawn_at"]

    def create(self, request, form):
        data = form.cleaned_data
        return lot_record(
            round=data["round"],
            order=data["order"],
            witnesses=data["witnesses"],
            actor=request.user,
        )


@admin.register(CertifiedTally)
class CertifiedTallyAdmin(RecordAdmin):
    fields = ["round", "observers"]
    list_display = ["round", "rule", "inputs_digest", "certified_by", "certified_at"]

    def create(self, request, form):
        data = form.cleaned_data
        tally = tally_certify(round=data["round"], actor=request.user, observers=data["observers"])
        messages.success(request, gettext_lazy("计票结果已确认并冻结。"))
        return tally


@admin.register(VoidedTally)
class VoidedTallyAdmin(RecordAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The certifications voided by a reopen, kept as they were."""

    scope_root = "round__community"
    list_display = ["round", "rule", "certified_at", "voided_at", "voided_by", "reason"]
