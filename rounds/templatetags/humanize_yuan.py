from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def yuan(amount):
    """Return an amount of money as "12,345.00 元"."""
    if amount is None:
        return ""
    return _("%(amount)s 元") % {"amount": f"{Decimal(amount):,.2f}"}
