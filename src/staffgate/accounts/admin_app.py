"""Django's admin app, on the portal's own site (loaded before any model, so it imports none)."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """``django.contrib.admin`` with :class:`~staffgate.accounts.adminsite.PortalAdminSite`."""

    default_site = "staffgate.accounts.adminsite.PortalAdminSite"
