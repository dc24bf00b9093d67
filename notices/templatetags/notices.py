from django import template

from notices.selectors import published_notice

register = template.Library()


@register.simple_tag
def round_notice(round):
    """Return the round's published notice (公示), or None: ``{% round_notice round as notice %}``."""
    return published_notice(round)
