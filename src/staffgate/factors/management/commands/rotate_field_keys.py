"""Re-encrypt every factor secret with the newest key of STAFFGATE_FIELD_KEYS."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from staffgate.factors import crypto
from staffgate.factors.models import TotpFactor


class Command(BaseCommand):
    help = (
        "Re-encrypt every factor secret with the first key of STAFFGATE_FIELD_KEYS, "
        "so that older keys can then be removed."
    )

    def handle(self, *args, **options):
        done = 0
        with transaction.atomic():
            for factor in TotpFactor.objects.select_for_update().only("pk", "encrypted_key"):
                try:
                    factor.encrypted_key = crypto.reencrypt(factor.encrypted_key)
                except crypto.InvalidToken:
                    raise CommandError(
                        f"Factor {factor.pk} cannot be opened with any key of "
                        "STAFFGATE_FIELD_KEYS; nothing was changed."
                    ) from None
                factor.save(update_fields=["encrypted_key"])
                done += 1
        self.stdout.write(f"{done} factor secret(s) re-encrypted with the newest key.")
