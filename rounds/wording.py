"""How things read in a sentence, in the language of the request."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def listing(items):
    """Return ``items`` as a list inside a sentence: "甲、乙、丙" in Chinese, "a, b, c" in English."""
    return pgettext("between the items of a list in a sentence", "、").join(map(str, items))


def person_name(user):
    """Return how a user is named on a page: their full name, or their username if none."""
    return user.get_full_name() or user.get_username()


def yuan(amount):
    """Return an amount of money as "150,000 元", or "16,500.50 元" when it has fen."""
    if amount is None or amount == "":
        return ""
    amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    figures = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return _("%(amount)s 元") % {"amount": figures}
