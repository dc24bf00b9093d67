"""Identity documents at the station: check the number, then keep only a keyed hash of it."""

import hashlib
import hmac
import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rounds.normalise import plain_number

ID_CARD_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CARD_CHECK = "10X98765432"


class DocumentType(models.TextChoices):
    ID_CARD = "id_card", gettext_lazy("居民身份证（含港澳台居民居住证）")
    HK_MACAO = "hk_macao", gettext_lazy("港澳居民来往内地通行证")
    TAIWAN = "taiwan", gettext_lazy("台湾居民来往大陆通行证")
    FOREIGN_PERMANENT = "foreign_permanent", gettext_lazy("外国人永久居留身份证")
    PASSPORT = "passport", gettext_lazy("护照")


# ASCII only: ``\d`` would also match the digits of every other script.
OTHER_FORMATS = {
    DocumentType.HK_MACAO: re.compile(r"[HM][0-9]{8}([0-9]{2})?"),
    DocumentType.TAIWAN: re.compile(r"[0-9]{8}"),
    DocumentType.FOREIGN_PERMANENT: re.compile(r"[A-Z]{3}[0-9]{12}|9[0-9]{16}[0-9X]"),
    DocumentType.PASSPORT: re.compile(r"[A-Z0-9]{5,17}"),
}


def id_card_is_valid(number):
    """Return whether an 18-character 居民身份证 number is well formed (GB 11643-1999)."""
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        return False
    total = sum(
        int(digit) * weight for digit, weight in zip(number[:17], ID_CARD_WEIGHTS, strict=True)
    )
    if ID_CARD_CHECK[total % 11] != number[17]:
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def normalise_document(document_type, number):
    """Return the document number in one canonical form, or raise ValidationError in Chinese.

    Digits of any script count as the same digits; letters are upper-cased; anything else
    outside ASCII is refused.
    """
    if document_type == DocumentType.ID_CARD:
        message = _("身份证号码不正确，请核对18位号码（最后一位可能是X）。")
        valid = id_card_is_valid
    elif document_type in OTHER_FORMATS:
        message = _("证件号码格式不正确，请核对。")
        valid = OTHER_FORMATS[document_type].fullmatch
    else:
        raise ValidationError(_("请选择证件类型。"))
    number = plain_number(number, message=message).upper()
    if not valid(number):
        raise ValidationError(message)
    return number


def voter_key(round, document_type, number):
    """Return the keyed hash that stands for a voter in one round; the key is not in the database."""
    message = f"{round.pk}:{document_type}:{normalise_document(document_type, number)}"
    return hmac.new(settings.VOTER_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()
