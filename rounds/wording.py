"""How things read in a sentence, in the language of the request."""

from django.utils.translation import pgettext


def listing(items):
    """Return ``items`` as a list inside a sentence: "甲、乙、丙" in Chinese, "a, b, c" in English."""
    return pgettext("between the items of a list in a sentence", "、").join(map(str, items))


def person_name(user):
    """Return how a user is named on a page: their full name, or their username if none."""
    return user.get_full_name() or user.get_username()
