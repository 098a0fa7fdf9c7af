from django.core.management.base import BaseCommand, CommandError

from staffgate.accounts.services import unlock_account
from staffgate.roster.ids import is_well_formed, normalise_user_id


class Command(BaseCommand):
    help = "Clear every lock and failure count of one User ID (audited)."

    def add_arguments(self, parser):
        parser.add_argument("user_id")
        parser.add_argument("--reason", required=True, help="Why (kept in the audit log).")

    def handle(self, user_id, reason, **options):
        user_id = normalise_user_id(user_id)
        if not is_well_formed(user_id):
            raise CommandError(f"{user_id!r} is not a valid User ID (letters and digits only).")
        if not reason.strip():
            raise CommandError("--reason must not be empty.")
        was_locked = unlock_account(user_id, actor="cli", reason=reason.strip())
        if was_locked:
            self.stdout.write(f"{user_id}: unlocked; failure counts cleared.")
        else:
            self.stdout.write(f"{user_id}: was not locked; counts are clear.")
