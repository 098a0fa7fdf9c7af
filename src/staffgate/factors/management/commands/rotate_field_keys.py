"""Re-encrypt every factor secret, and every e-mail waiting in the queue, with the newest
key of STAFFGATE_FIELD_KEYS."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from staffgate.factors import crypto
from staffgate.factors.models import TotpFactor


class Command(BaseCommand):
    help = (
        "Re-encrypt every factor secret and every queued e-mail with the first key of "
        "STAFFGATE_FIELD_KEYS, so that older keys can then be removed."
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
            mails = self._rotate_queued_mails()
        self.stdout.write(f"{done} factor secret(s) re-encrypted with the newest key.")
        if mails:
            self.stdout.write(f"{mails} queued e-mail(s) re-encrypted with the newest key.")

    def _rotate_queued_mails(self) -> int:
        from staffgate.core.mail import deliver_mail

        rows = DBTaskResult.objects.select_for_update().filter(
            task_path=deliver_mail.module_path, status=TaskResultStatus.READY
        )
        done = 0
        for row in rows:
            args = list(row.args_kwargs["args"])
            try:
                args[0] = crypto.reencrypt(args[0])
            except crypto.InvalidToken:
                continue  # the worker logs it when its turn comes; nothing else can open it
            row.args_kwargs = {**row.args_kwargs, "args": args}
            row.save(update_fields=["args_kwargs"])
            done += 1
        return done
