from html import escape

from django import forms
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from proposals.models import Relation
from rounds.models import Stage
from rounds.wording import person_name, yuan

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


# Bootstrap's drawn checkbox: a native one has no border of its own to stand out from the page
# (WCAG 1.4.11); its edge in the grey that stands 4.7:1 on white. site.css sizes it.
BOX_CLASSES = "form-check-input mt-0 border-secondary"


class BallotBoxes(forms.CheckboxSelectMultiple):
    """The ballot's checkboxes, each in a label as wide as the page for a finger to hit.

    Written out in Python rather than a template per box: with 40-odd items that was most of
    the ballot page's time, and a station records a voter every few seconds.
    """

    def render(self, name, value, attrs=None, renderer=None):
        ticked = set(value or ())
        attrs = self.build_attrs(self.attrs, attrs)
        prefix = escape(attrs.pop("id"))
        described = attrs.pop("aria-describedby", "")
        # What Django adds for errors and help (aria-invalid, aria-describedby), on every box.
        extra = "".join(
            f" {escape(key)}" if value is True else f' {escape(key)}="{escape(value)}"'
            for key, value in attrs.items()
            if value is not False and value is not None
        )
        # A box is named by its number, title and cost alone (what a screen reader says on
        # Tab); where and what are its description, read after the name.
        return mark_safe(
            "\n".join(
                f'<label class="ballot-choice d-flex align-items-center gap-3 border rounded p-3 '
                f'mb-2" for="{prefix}_{index}"><input type="checkbox" class="{BOX_CLASSES}" name="{escape(name)}" '
                f'value="{escape(ref)}" id="{prefix}_{index}" '
                f'aria-labelledby="{prefix}_{index}_name" '
                f'aria-describedby="{prefix}_{index}_details{escape(" " + described) if described else ""}"'
                f"{extra}{' checked' if ref in ticked else ''}>"
                f' <span><span class="fs-5 d-block" id="{prefix}_{index}_name">{escape(label)}</span>'
                f'<span class="small text-secondary d-block" id="{prefix}_{index}_details">'
                f"{escape(details)}</span></span></label>"
                for index, (ref, label, details) in enumerate(self.choices)
            )
        )


class BallotForm(forms.Form):
    """The voter's own screen: tick between 1 and K projects of the station's library.

    Whether the ticks make a valid choice is checked where the ballot is cast
    (``ballot_cast``), which reads the library under the station's lock; the library is read
    here only to draw the page.
    """

    items = forms.Field(
        label=_("请选择项目"),
        widget=BallotBoxes,
        error_messages={"required": _("请至少选择1个项目。")},
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.station = station
        self.fields["items"].widget.choices = self.library  # read only when the page is drawn

    # What the ballot's live region says as boxes are ticked; static/js/ballot.js fills in
    # the same messages in the browser, so they keep their placeholders until then.
    TICKED = _("已选择%(count)d个项目，最多可选%(max)d个。")
    TOO_MANY = _("已选择%(count)d个项目，超过了最多可选的%(max)d个，请取消%(extra)d个。")

    def ticked_count(self):
        """How many different boxes are ticked as the page is drawn (none on a new ballot)."""
        return len(set(self["items"].value() or ()))

    def too_many(self):
        return self.ticked_count() > self.station.round.max_choices

    def count_message(self):
        """The live region's first words: how many are ticked, and how many may be."""
        count, most = self.ticked_count(), self.station.round.max_choices
        message = self.TOO_MANY if count > most else self.TICKED
        return message % {"count": count, "max": most, "extra": count - most}

    def clean_items(self):
        """Refuse what no checkbox sends (a crafted post), before the database reads it."""
        refs = self.cleaned_data["items"]
        if any("\x00" in ref or len(ref) > 64 for ref in refs):
            raise forms.ValidationError(
                _("选票上有不属于本轮项目库的项目，或同一项目选了两次。")
            )
        return refs

    def library(self):
        """(ref, label, where and what) of every item on the ballot, in ballot order.

        Kept by each server process while the round is in voting, under the moment it entered
        that stage: the items cannot change then, and any move back and forth is a new key.
        """
        round = self.station.round
        if round.stage != Stage.VOTING:
            return self.read_library(round)
        key = f"ballot-library:{round.pk}:{round.stage_since.isoformat()}:{get_language()}"
        return caches["template_fragments"].get_or_set(key, lambda: self.read_library(round))

    @staticmethod
    def read_library(round):
        items = round.ballot_items.order_by("number")
        return [
            (ref, f"{number}. {title}（{yuan(cost)}）", f"{location} · {description}")
            for ref, number, title, cost, location, description in items.values_list(
                "ref", "number", "title", "cost", "location", "description"
            )
        ]


class PaperCountForm(forms.Form):
    lines = forms.CharField(
        label=_("纸质选票内容"),
        required=False,  # a station where nobody voted has no ballot to type
        strip=False,  # an empty first line is refused with its number, not dropped unseen
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text=_(
            "按选票编号顺序每行录入一张选票所选的项目编号，用逗号分隔，例如 3,7,12；"
            "空白票写「空白」或0；无效票写X。不要留空行；没有选票时不填。"
        ),
    )


class ClosureForm(forms.Form):
    officers = forms.ModelMultipleChoiceField(
        label=_("在场工作人员"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    observers = forms.CharField(
        label=_("在场监票人"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("提议人、居民代表等，每行一人，按本人愿意公开的称呼填写"),
    )
    explanation = forms.CharField(
        label=_("登记人数与选票数的差异说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"].queryset = station.officers.distinct()
        self.fields["officers"].label_from_instance = person_name
