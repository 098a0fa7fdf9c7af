from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "staffgate.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from staffgate.accounts.sessions import record_login

        # The portal stamps the previous login too, in the same statement as the new one.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(record_login, dispatch_uid="staffgate_record_login")
