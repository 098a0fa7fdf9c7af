"""The employer's brand: its name, its logo, the portal's address and the help desk's contact.

Pages get them from the ``portal`` context processor and e-mails from :func:`mail_context`,
both from settings only: the portal's address is never taken from a request's Host header.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

LOGO_PREFIX = "brand"


def logo_static_path() -> str:
    """The logo's path among the static files (``brand/<file name>``), or "" without one."""
    logo = settings.STAFFGATE_BRAND_LOGO
    return f"{LOGO_PREFIX}/{Path(logo).name}" if logo else ""


class BrandLogoFinder(BaseFinder):
    """Lists the one logo file as ``brand/<name>``, never the rest of the folder it sits in."""

    def _storage(self):
        logo = Path(settings.STAFFGATE_BRAND_LOGO)
        storage = FileSystemStorage(location=str(logo.parent))
        storage.prefix = LOGO_PREFIX
        return storage, logo.name

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if not settings.STAFFGATE_BRAND_LOGO or path != logo_static_path():
            return []
        found = settings.STAFFGATE_BRAND_LOGO
        return [found] if find_all else found

    def list(self, ignore_patterns):
        if settings.STAFFGATE_BRAND_LOGO:
            storage, name = self._storage()
            yield name, storage


def portal_url(route: str = "", *args) -> str:
    """The public address of ``route`` (the portal's home when blank); "" when it is not set."""
    base = settings.STAFFGATE_PUBLIC_URL
    if not base:
        return ""
    return base + (reverse(route, args=args) if route else "/")


def mail_context() -> dict:
    """What every e-mail may say about the brand, the portal and the help desk."""
    return {
        "brand_name": settings.STAFFGATE_BRAND_NAME,
        "portal_url": portal_url(),
        "login_url": portal_url("login"),
        "help_url": portal_url("help"),
        "helpdesk_phone": settings.STAFFGATE_HELPDESK_PHONE,
        "helpdesk_email": settings.STAFFGATE_HELPDESK_EMAIL,
    }


def page_context() -> dict:
    """What every page shows of the brand: its name, and its logo when there is one."""
    return {
        "brand_name": settings.STAFFGATE_BRAND_NAME,
        "brand_logo": logo_static_path(),
        "helpdesk_phone": settings.STAFFGATE_HELPDESK_PHONE,
        "helpdesk_email": settings.STAFFGATE_HELPDESK_EMAIL,
    }
