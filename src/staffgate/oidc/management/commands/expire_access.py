from django.core.management.base import BaseCommand

from staffgate.oidc.expiry import expire_access


class Command(BaseCommand):
    help = (
        "Revoke the app tokens and end the sessions of people the roster no longer lets in "
        "(for instance past 30 June after their separation); apps are told by back-channel."
    )

    def handle(self, **options):
        count = expire_access()
        self.stdout.write(f"access withdrawn: {count} person(s).")
