from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from rounds.normalise import normalise_mobile
from rounds.validators import reject_markup

from .exceptions import ProposalError
from .models import (
    PROJECT_FIELDS,
    PROPOSER_FIELDS,
    Category,
    NegativeListReason,
    Proposal,
    Relation,
)
from .pending import pending_photos
from .photos import validate_photos
from .services import proposal_check_open

PRIVACY_NOTICE = _(
    "我们只收集办理提议所需的信息：姓名和手机号码仅供社区工作人员联系您、供您凭查询码查询进度，"
    "不会在任何公开页面显示（公开时姓名显示为「王**」）；本轮微实事结束一年后删除。"
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to five images; each is checked by opening it, not by its name."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, (list, tuple)) else [data] if data else []
        uploads = [super(PhotosField, self).clean(upload, initial) for upload in uploads]
        validate_photos(uploads)
        return uploads


COST_MESSAGES = {
    "invalid": _("请用数字填写估算费用（元），例如 30000。"),
    "max_whole_digits": _("估算费用太大了，请以元为单位填写，例如 30000。"),
    "max_digits": _("估算费用太大了，请以元为单位填写，例如 30000。"),
    "max_decimal_places": _("估算费用最多精确到分（两位小数）。"),
}


def field_messages(field):
    """Return the field's errors in plain Chinese: "请选择…" for a list, "请填写…" for a box."""
    label = {"label": field.label}
    if isinstance(field, forms.ChoiceField):
        return {
            "required": _("请选择%(label)s。") % label,
            "invalid_choice": _("请从列表中选择%(label)s。") % label,
        }
    return {"required": _("请填写%(label)s。") % label}


_PLAIN_MESSAGES = {}  # (form class, language) -> ProposalForm.plain_messages()


class ProposalForm(forms.ModelForm):
    """A resident's proposal; staff entering a paper form use ``StaffProposalForm``."""

    photos = PhotosField(label=_("照片"), help_text=_("可选，最多5张，每张不超过8 MB。"))
    kept_photos = forms.CharField(widget=forms.HiddenInput, required=False)
    consent = forms.BooleanField(
        label=_("我已阅读并同意个人信息说明"),
        help_text=PRIVACY_NOTICE,
        error_messages={"required": _("请阅读并同意个人信息说明后再提交。")},
    )
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,  # room for "138 1234 5678" or "+86…"; stored as 11 digits
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Proposal
        fields = [*PROPOSER_FIELDS, *PROJECT_FIELDS]
        widgets = {
            "relation": forms.RadioSelect,
            "proposer_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "description": forms.Textarea(attrs={"rows": 5}),
            "estimated_cost": forms.NumberInput(attrs={"inputmode": "decimal", "min": 0}),
        }

    def __init__(self, *args, round=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round
        # A view-only admin page shows these fields read-only, outside the form.
        if "compound" in self.fields:
            if round is not None:
                self.fields["compound"].queryset = (
                    round.compounds.all() or round.community.compounds.all()
                )
            self.fields["compound"].empty_label = _("请选择小区")
        if "relation" in self.fields:
            self.fields["relation"].choices = Relation.choices
            self.fields["category"].choices = [("", _("请选择类别")), *Category.choices]
        for name, messages in self.plain_messages().items():
            self.fields[name].error_messages.update(messages)

    @classmethod
    def plain_messages(cls):
        """Return {field name: its error messages in plain words}, worked out once a language.

        An Excel import builds a form for each of thousands of rows: the wording is the same
        for all of them.
        """
        key = (cls, get_language())
        if key not in _PLAIN_MESSAGES:
            fields = cls.base_fields
            messages = {
                name: field_messages(fields[name])
                for name in ["phone", *PROPOSER_FIELDS, *PROJECT_FIELDS]
                if name in fields
            }
            if "estimated_cost" in messages:
                messages["estimated_cost"].update({k: str(v) for k, v in COST_MESSAGES.items()})
            _PLAIN_MESSAGES[key] = messages
        return _PLAIN_MESSAGES[key]

    @cached_property
    def helper(self):
        """The form's layout, built only when a page renders it."""
        helper = FormHelper()
        helper.form_tag = False
        helper.layout = Layout(
            Fieldset(_("提议人"), *PROPOSER_FIELDS),
            Fieldset(_("项目"), *PROJECT_FIELDS, "photos"),
            Fieldset(_("个人信息说明"), "consent"),
            "submission_token",
            "kept_photos",
            Submit("submit", _("提交提议"), css_class="btn-success w-100 btn-lg"),
        )
        return helper

    def clean_phone(self):
        return normalise_mobile(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        self.photos_were_kept = False
        if "photos" in cleaned and not cleaned["photos"]:
            cleaned["photos"] = pending_photos(cleaned.get("kept_photos", ""))
            self.photos_were_kept = bool(cleaned["photos"])
        for name in self.fields:
            if isinstance(cleaned.get(name), str) and cleaned[name]:
                try:
                    reject_markup(cleaned[name])
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned


class StaffProposalForm(ProposalForm):
    """A paper proposal typed in by staff: the same checks, plus the round and the channel."""

    consent = forms.BooleanField(
        label=_("提议人已在纸质提议表上签字同意个人信息说明"),
        help_text=PRIVACY_NOTICE,
        error_messages={"required": _("请确认提议人已同意个人信息说明。")},
    )

    submission_token = None  # staff type a proposal in once; no double-click guard needed

    class Meta(ProposalForm.Meta):
        fields = ["round", "source", *ProposalForm.Meta.fields, "department"]

    def clean(self):
        cleaned = super().clean()
        round, compound = cleaned.get("round"), cleaned.get("compound")
        if round and compound and compound.community_id != round.community_id:
            self.add_error("compound", _("这个小区不属于该轮次的社区。"))
        if round and self.instance.pk is None:
            try:
                proposal_check_open(round)
            except ProposalError as refusal:
                self.add_error("round", str(refusal))
        return cleaned


class ScreeningForm(forms.Form):
    """A 七不入 decision: tick the reasons that apply and explain each; none ticked means passed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reasons = list(NegativeListReason.objects.all())
        for reason in self.reasons:
            self.fields[f"reason_{reason.number}"] = forms.BooleanField(
                label=str(reason), required=False
            )
            self.fields[f"note_{reason.number}"] = forms.CharField(
                label=_("说明（公开）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def clean(self):
        cleaned = super().clean()
        for reason in self.reasons:
            note = cleaned.get(f"note_{reason.number}", "")
            if cleaned.get(f"reason_{reason.number}") and not note.strip():
                self.add_error(f"note_{reason.number}", _("请写明这条理由的具体说明。"))
            if note:
                try:
                    reject_markup(note)
                except ValidationError as error:
                    self.add_error(f"note_{reason.number}", error)
        return cleaned

    @property
    def exclusions(self):
        """Return the (reason, note) pairs ticked."""
        return [
            (reason, self.cleaned_data[f"note_{reason.number}"])
            for reason in self.reasons
            if self.cleaned_data.get(f"reason_{reason.number}")
        ]

    def rows(self):
        """Yield (reason, tick field, note field) for the template."""
        for reason in self.reasons:
            yield reason, self[f"reason_{reason.number}"], self[f"note_{reason.number}"]


class StatusLookupForm(forms.Form):
    tracking_code = forms.CharField(
        label=_("查询码"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocapitalize": "characters"}),
    )
    phone = forms.CharField(
        label=_("提交时填写的手机号码"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )

    def clean_tracking_code(self):
        return self.cleaned_data["tracking_code"].strip().upper()

    def clean_phone(self):
        return normalise_mobile(self.cleaned_data["phone"])
