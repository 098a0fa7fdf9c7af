"""``{% link 'name' arg … %}``: Django's ``{% url %}``, reversed once and then remembered.

Reversing a name walks the URL patterns with regular expressions, tens of microseconds a
link, and every page draws the same handful of links on every request; so each address
is reversed once per process, arguments and script prefix.
"""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse

register = template.Library()


@lru_cache(maxsize=4096)
def _reverse(name: str, args: tuple[str, ...], prefix: str) -> str:
    return reverse(name, args=args)


@register.simple_tag
def link(name: str, *args) -> str:
    """The address of the route ``name`` (with ``args``), under the current script prefix."""
    return _reverse(name, tuple(str(arg) for arg in args), get_script_prefix())
