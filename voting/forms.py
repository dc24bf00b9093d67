from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from proposals.models import Relation
from rounds.templatetags.humanize_yuan import yuan

from .identity import DocumentType, normalise_document


class VoterForm(forms.Form):
    """What the officer records about a voter: how they belong here, and their document."""

    relation = forms.ChoiceField(
        label=_("与社区的关系"), choices=Relation.choices, widget=forms.RadioSelect
    )
    document_type = forms.ChoiceField(label=_("证件类型"), choices=DocumentType.choices)
    document_number = forms.CharField(
        label=_("证件号码"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("document_type") and cleaned.get("document_number"):
            try:
                cleaned["document_number"] = normalise_document(
                    cleaned["document_type"], cleaned["document_number"]
                )
            except ValidationError as error:
                self.add_error("document_number", error)
        return cleaned


class BallotForm(forms.Form):
    """The voter's own screen: tick between 1 and K projects of the library."""

    items = forms.MultipleChoiceField(
        label=_("请选择项目"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择1个项目。")},
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round
        self.fields["items"].choices = [
            (item.ref, f"{item.number}. {item.title}({yuan(item.cost)})")
            for item in round.ballot_items.order_by("number")
        ]

    def clean_items(self):
        items = self.cleaned_data["items"]
        if len(items) > self.round.max_choices:
            raise ValidationError(
                _("最多选择%(max)d个项目,您选择了%(count)d个。")
                % {"max": self.round.max_choices, "count": len(items)}
            )
        return items


class PaperCountForm(forms.Form):
    lines = forms.CharField(
        label=_("纸质选票内容"),
        strip=False,  # an empty first or last line is a blank ballot
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text=_(
            "按选票编号顺序每行录入一张选票所选的项目编号,用逗号分隔,例如 3,7,12;空白票留空行;无效票写 X。"
        ),
    )


class ClosureForm(forms.Form):
    officers = forms.ModelMultipleChoiceField(
        label=_("在场工作人员"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    observers = forms.CharField(
        label=_("在场监票人"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("提议人、居民代表等,每行一人,按本人愿意公开的称呼填写"),
    )
    explanation = forms.CharField(
        label=_("登记人数与选票数的差异说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"].queryset = station.officers.distinct()
