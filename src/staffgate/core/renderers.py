"""The form renderer: Django's Jinja2 widget templates, Django templates where only they exist."""

from __future__ import annotations

from functools import cached_property

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class PortalFormRenderer(Jinja2):
    """Jinja2 for the portal's own forms (the same HTML as Django's, for half the CPU).

    The admin's widgets (the password hash summary, the related-object wrapper…)
    come only as Django templates, so a template Jinja2 cannot find is drawn by
    Django's template engine instead.
    """

    @cached_property
    def fallback(self) -> DjangoTemplates:
        return DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)
