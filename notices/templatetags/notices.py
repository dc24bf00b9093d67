from django import template

from notices.selectors import published_notice, tally_still_in_force

register = template.Library()


@register.simple_tag
def round_notice(round):
    """Return the round's published notice (公示), or None: ``{% round_notice round as notice %}``.

    None too once the tally it shows is voided (a reopen past the count): the pages must not
    announce a result that no longer stands.
    """
    notice = published_notice(round)
    return notice if notice and tally_still_in_force(notice) else None
