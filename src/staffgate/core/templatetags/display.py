"""``{% load display %}``: devices and time zones in words (see ``core/devices.py``)."""

from django import template

from staffgate.core.devices import device_name, zone_name

register = template.Library()


@register.filter
def device(user_agent: str) -> str:
    return device_name(user_agent)


@register.simple_tag
def time_zone_name() -> str:
    return zone_name()
