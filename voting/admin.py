from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy

from proposals.admin import scoped_rounds
from rounds.admin import RecordAdminMixin, ScopedAdminMixin
from rounds.models import Stage

from .exceptions import VotingError
from .models import (
    BallotStation,
    CertifiedTally,
    Lot,
    StationClosure,
    StationOfficer,
    VoidedTally,
)
from .services import lot_record, tally_certify, tally_certify_check


class StationOfficerInline(admin.TabularInline):
    model = StationOfficer
    extra = 1


class VotingRoundMixin(ScopedAdminMixin):
    scope_root = "round__community"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "round":
            kwargs["queryset"] = scoped_rounds(request).filter(stage__in=self.round_stages)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    round_stages = [Stage.SCREENING, Stage.VOTING]


@admin.register(BallotStation)
class BallotStationAdmin(VotingRoundMixin, admin.ModelAdmin):
    list_display = ["name", "round", "mode", "opens_on", "closes_on", "is_closed"]
    list_filter = ["mode", "round"]
    inlines = [StationOfficerInline]

    @admin.display(boolean=True, description=gettext_lazy("已关闭"))
    def is_closed(self, station):
        return hasattr(station, "closure")


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


class ServiceFormAdmin(VotingRoundMixin, admin.ModelAdmin):
    """An admin whose add form calls a voting service; a refusal shows on the form."""

    round_stages = [Stage.VOTING]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = self.create(request, form.cleaned_data)
        obj.pk = saved.pk
        obj.refresh_from_db()


class LotForm(forms.ModelForm):
    order = forms.CharField(
        label=gettext_lazy("抽签结果"),
        help_text=gettext_lazy("按抽签结果排列的项目编码,先者优先,用逗号分隔,例如 4,2"),
    )

    class Meta:
        model = Lot
        fields = ["round", "order", "witnesses"]

    def clean_order(self):
        return [
            ref.strip()
            for ref in self.cleaned_data["order"].replace(",", ",").split(",")
            if ref.strip()
        ]


@admin.register(Lot)
class LotAdmin(ServiceFormAdmin):
    form = LotForm
    list_display = ["round", "__str__", "witnesses", "drawn_at"]

    def create(self, request, data):
        return lot_record(
            round=data["round"],
            order=data["order"],
            witnesses=data["witnesses"],
            actor=request.user,
        )


class CertifyForm(forms.ModelForm):
    class Meta:
        model = CertifiedTally
        fields = ["round", "observers"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("round") and cleaned.get("observers"):
            try:
                tally_certify_check(round=cleaned["round"])
            except VotingError as refusal:
                self.add_error(None, str(refusal))
        return cleaned


@admin.register(CertifiedTally)
class CertifiedTallyAdmin(ServiceFormAdmin):
    form = CertifyForm
    list_display = ["round", "rule", "inputs_digest", "certified_by", "certified_at"]

    def create(self, request, data):
        tally = tally_certify(round=data["round"], actor=request.user, observers=data["observers"])
        messages.success(request, gettext_lazy("计票结果已确认并冻结。"))
        return tally


@admin.register(VoidedTally)
class VoidedTallyAdmin(RecordAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The certifications voided by a reopen, kept as they were."""

    scope_root = "round__community"
    list_display = ["round", "rule", "certified_at", "voided_at", "voided_by", "reason"]
