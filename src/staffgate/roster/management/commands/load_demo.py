"""``staffgate load-demo``: the fictional demo roster, and who can register with which PIN."""

from __future__ import annotations

import csv
from importlib.resources import files

from django.core.management.base import BaseCommand, CommandError

from staffgate.core.timeutil import local_today
from staffgate.roster.eligibility import check_eligibility, facts_of
from staffgate.roster.ids import normalise_user_id
from staffgate.roster.importer import import_roster
from staffgate.roster.models import Person
from staffgate.roster.pin import pin_of

DEMO_ROSTER = files("staffgate.roster") / "data" / "demo_roster.csv"
LOGIN_URL = "http://127.0.0.1:8000/login/"


def demo_ids() -> list[str]:
    """The Employee IDs of the demo roster, in file order."""
    with DEMO_ROSTER.open("r", encoding="utf-8", newline="") as fh:
        return [normalise_user_id(row["employee_id"]) for row in csv.DictReader(fh)]


class Command(BaseCommand):
    help = (
        "Load the fictional demo roster (for a local trial) and list the demo people who "
        "can register now, with their PINs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="add the demo people even though the roster holds other people",
        )
        parser.add_argument(
            "--login-url", default=LOGIN_URL, help=f"address shown for logging in ({LOGIN_URL})"
        )

    def handle(self, *args, force: bool, login_url: str, **options):
        ids = demo_ids()
        # Demo people have known PINs: added to a real roster they would be a way in.
        others = Person.objects.exclude(employee_id__in=ids).count()
        if others and not force:
            raise CommandError(
                f"the roster already holds {others} {'person' if others == 1 else 'people'} "
                "outside the demo roster; load-demo is for trial databases "
                "(use --force to add the demo people anyway)."
            )
        with DEMO_ROSTER.open("rb") as fh:
            report = import_roster(fh, actor="load-demo")
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"demo roster {error}")
            raise CommandError("the demo roster was rejected; nothing was loaded.")
        self.stdout.write(f"Demo roster loaded: {report.summary()}")
        self._list_registrable(ids, login_url)

    def _list_registrable(self, ids: list[str], login_url: str) -> None:
        today = local_today()
        people = {
            p.employee_id: p
            for p in Person.objects.filter(employee_id__in=ids).select_related("account")
        }
        ready = [
            people[eid]
            for eid in ids
            if eid in people
            and not hasattr(people[eid], "account")
            and check_eligibility(facts_of(people[eid]), today) is None
        ]
        if not ready:
            self.stdout.write("Every eligible demo person has registered already.")
            return
        rows = [("User ID", "PIN", "Name", "Status")] + [
            (p.employee_id, pin_of(p), p.full_name, f"{p.status}, {p.country}") for p in ready
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write("\nDemo people who can register now:\n")
        for number, row in enumerate(rows):
            self.stdout.write(
                "  " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
            )
            if number == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        self.stdout.write(
            f"\nLog in at {login_url} with the User ID and the PIN as password to register."
        )
