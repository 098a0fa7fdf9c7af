"""``{% brand_name %}`` and ``{% brand_logo %}``: the brand from settings, on every page.

Tags rather than context alone, so pages drawn without a request (Django's 500 page) still
carry the employer's name.
"""

from django import template
from django.conf import settings

from staffgate.core.brand import logo_static_path

register = template.Library()


@register.simple_tag
def brand_name() -> str:
    return settings.STAFFGATE_BRAND_NAME


@register.simple_tag
def brand_logo() -> str:
    """The logo's static path (``brand/logo.svg``), or "" when there is none."""
    return logo_static_path()
