"""``staffgate import-roster FILE.csv [--dry-run] [--full [--force]]``: all or nothing."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from staffgate.roster.importer import import_roster


class Command(BaseCommand):
    help = (
        "Import the HR roster from a CSV file (UTF-8, header line first). The whole file is "
        "checked; any error rejects it and nothing changes. People are upserted by employee_id."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the roster CSV file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and count what would change, without writing anything",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="the file is the whole roster: people it does not list lose access",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="with --full, remove people even beyond STAFFGATE_ROSTER_MAX_REMOVALS",
        )

    def handle(self, *args, file: str, dry_run: bool, full: bool, force: bool, **options):
        if force and not full:
            raise CommandError("--force only applies to --full imports.")
        try:
            report = import_roster(file, dry_run=dry_run, actor="cli", full=full, force=force)
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from None
        if report.removals_refused:
            limit = settings.STAFFGATE_ROSTER_MAX_REMOVALS
            raise CommandError(
                f"{file} would remove {report.removed} of the {report.present} people in the "
                f"roster, more than STAFFGATE_ROSTER_MAX_REMOVALS ({limit:g}%) allows: nothing "
                "was imported. Check the file; if those people really left, run again with "
                "--force."
            )
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            hidden = report.error_count - len(report.errors)
            if hidden:
                self.stderr.write(f"… and {hidden} more error(s) not shown")
            raise CommandError(
                f"{report.error_count} error(s) in {file}: the file was rejected and "
                "nothing was imported."
            )
        self.stdout.write(report.summary())
