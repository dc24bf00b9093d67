from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PlanComment
from .validators import reject_markup


class PlanCommentForm(forms.ModelForm):
    class Meta:
        model = PlanComment
        fields = ["name", "contact", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.validators.append(reject_markup)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("提交意见"), css_class="btn-success"))
