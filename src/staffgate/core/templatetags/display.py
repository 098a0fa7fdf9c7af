"""``{% load display %}``: devices, time zones and audit outcomes in words."""

from django import template

from staffgate.audit.words import outcome_words
from staffgate.core.devices import device_name, zone_name

register = template.Library()


@register.filter
def device(user_agent: str) -> str:
    return device_name(user_agent)


@register.filter
def outcome(code: str) -> str:
    """An audit outcome (``nothing_to_unlock``) in words."""
    return outcome_words(code)


@register.simple_tag
def time_zone_name() -> str:
    return zone_name()
