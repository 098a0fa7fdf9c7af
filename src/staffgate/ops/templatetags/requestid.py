"""``{% request_id as rid %}``: the current request's ID, for error pages to show."""

from django import template

from staffgate.ops.middleware import current_request_id

register = template.Library()


@register.simple_tag
def request_id() -> str:
    return current_request_id()
