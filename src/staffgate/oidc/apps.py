from django.apps import AppConfig


class OidcConfig(AppConfig):
    name = "staffgate.oidc"
    label = "oidc"
    verbose_name = "Single sign-on"

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from staffgate.accounts.sessions import sessions_ended
        from staffgate.oidc import expiry, logout
        from staffgate.roster.importer import roster_imported

        user_logged_out.connect(logout.on_logged_out, dispatch_uid="staffgate_oidc_logged_out")
        sessions_ended.connect(logout.on_sessions_ended, dispatch_uid="staffgate_oidc_ended")
        roster_imported.connect(expiry.on_roster_imported, dispatch_uid="staffgate_oidc_roster")
