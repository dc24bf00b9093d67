"""Validators shared by every app's forms: ``rounds`` is the base app they all import."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MARKUP = re.compile(r"<\s*[a-zA-Z!/?]|&#|javascript:", re.IGNORECASE)


def reject_markup(value):
    """Refuse text that carries HTML or script: residents describe, they do not mark up."""
    if MARKUP.search(value):
        raise ValidationError(_("请不要输入网页代码或脚本（例如 < > 标签），用文字描述即可。"))
