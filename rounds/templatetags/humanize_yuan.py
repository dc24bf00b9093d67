from django import template

from rounds.wording import yuan

register = template.Library()
register.filter("yuan", yuan)
