from django import template

from rounds.wording import listing, person_name

register = template.Library()
register.filter("listing", listing)
register.filter("person_name", person_name)
