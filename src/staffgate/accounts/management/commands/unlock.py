from django.core.management.base import BaseCommand, CommandError

from staffgate.accounts.models import Account
from staffgate.accounts.services import unlock_account
from staffgate.roster.ids import is_well_formed, normalise_user_id


class Command(BaseCommand):
    help = "Clear every lock and failure count of one User ID or agent name (audited)."

    def add_arguments(self, parser):
        parser.add_argument("user_id", help="An employee's User ID or a help-desk agent's name.")
        parser.add_argument("--reason", required=True, help="Why (kept in the audit log).")

    def handle(self, user_id, reason, **options):
        name = user_id.strip()
        agent = Account.objects.filter(user_id=name, person__isnull=True).exists()
        user_id = name if agent else normalise_user_id(user_id)
        if not agent and not is_well_formed(user_id):
            raise CommandError(
                f"{user_id!r} is neither a valid User ID (letters and digits only) "
                "nor the name of a help-desk agent."
            )
        if not reason.strip():
            raise CommandError("--reason must not be empty.")
        was_locked = unlock_account(user_id, actor="cli", reason=reason.strip())
        if was_locked:
            self.stdout.write(f"{user_id}: unlocked; failure counts cleared.")
        else:
            self.stdout.write(f"{user_id}: was not locked; counts are clear.")
