"""Which scopes an app may be granted: the ones its operator registered it with."""

from __future__ import annotations

from oauth2_provider.scopes import SettingsScopes

from staffgate.oidc.models import AppProfile


class AppScopes(SettingsScopes):
    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        known = super().get_available_scopes(application, request, *args, **kwargs)
        if application is None:
            return known
        try:
            allowed = application.profile.scopes
        except AppProfile.DoesNotExist:
            allowed = ["openid"]
        return [scope for scope in known if scope in allowed]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return ["openid"]
