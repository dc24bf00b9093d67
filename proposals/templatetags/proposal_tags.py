from django import template

from proposals.photos import photo_url as signed_photo_url

register = template.Library()


@register.filter
def photo_url(photo):
    """Return the signed, expiring link to a photo."""
    return signed_photo_url(photo)
