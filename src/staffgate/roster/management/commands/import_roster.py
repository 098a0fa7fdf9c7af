"""``staffgate import-roster FILE.csv [--dry-run]``: check every row, then import all or nothing."""

from __future__ import annotations

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

    def handle(self, *args, file: str, dry_run: bool, **options):
        try:
            report = import_roster(file, dry_run=dry_run, actor="cli")
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from None
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
