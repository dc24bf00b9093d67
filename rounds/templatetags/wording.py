from django import template

from rounds.wording import listing

register = template.Library()
register.filter("listing", listing)
