from django.core.management import call_command
from django.core.management.base import BaseCommand

from staffgate.oidc.expiry import schedule_daily
from staffgate.ops.background import run_duties_once, start_duties


class Command(BaseCommand):
    help = (
        "Run the background queue: back-channel logout deliveries, retried with backoff, and "
        "the daily expire-access. Run one or more beside `staffgate serve`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument("--batch", action="store_true", help="Run what is due now, then stop.")

    def handle(self, **options):
        schedule_daily()
        # The heartbeat /readyz checks, and the roster drop folder when there is one.
        if options["batch"]:
            run_duties_once()
        else:
            start_duties()
        arguments = ["--interval", str(options["interval"]), "--no-startup-delay"]
        if options["batch"]:
            arguments.append("--batch")
        call_command("db_worker", *arguments, verbosity=options["verbosity"])
