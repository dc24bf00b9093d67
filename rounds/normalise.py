"""Numbers people type (identity documents, mobile phones), in one canonical ASCII form.

A number typed on a phone or tablet may come in full-width digits (８７６５), in another
script's digits (٨٧٦٥, ८७६५) or with spaces and dashes. Each is read as the plain number
it stands for, so that the same person always gets the same voter key and the same phone
matches; whatever is still outside ASCII after that is refused, not hashed.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SEPARATORS = re.compile(r"[\s\-()]")
MOBILE = re.compile(r"1[3-9][0-9]{9}")


def _ascii_digit(character):
    """Return a decimal digit of any script (category Nd) as 0–9; any other character as is."""
    if unicodedata.category(character) == "Nd":
        return str(unicodedata.decimal(character))
    return character


def plain_number(value, *, message):
    """Return ``value`` in NFKC form, every digit as 0–9, without spaces, dashes or brackets.

    Raise ValidationError(``message``) if anything outside ASCII is left.
    """
    text = unicodedata.normalize("NFKC", value or "")
    text = SEPARATORS.sub("", "".join(map(_ascii_digit, text)))
    if not text.isascii():
        raise ValidationError(message)
    return text


def normalise_mobile(value):
    """Return an 11-digit Chinese mobile number from what was typed, or raise ValidationError."""
    message = _("请输入正确的11位手机号码，例如 13812345678。")
    digits = plain_number(value, message=message).removeprefix("+86")
    if not MOBILE.fullmatch(digits):
        raise ValidationError(message)
    return digits
