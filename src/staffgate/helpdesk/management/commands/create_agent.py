"""``staffgate create-agent USERNAME``: a help-desk agent, a staff account with the agent right."""

from __future__ import annotations

import getpass
import os
import sys

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Permission
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from staffgate.audit.services import record_event
from staffgate.audit.tags import EventTag
from staffgate.roster.ids import is_well_formed, normalise_user_id
from staffgate.roster.models import Person


class Command(BaseCommand):
    help = (
        "Create a help-desk agent: a staff login for /helpdesk/ (not an employee account). "
        "The password is read from the environment variable named by --password-from-env, "
        "or asked for twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="The agent's e-mail address.")
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            help="Read the password from this environment variable instead of asking.",
        )
        parser.add_argument(
            "--supervisor",
            action="store_true",
            help="Also let the agent see the operations dashboard (/helpdesk/dashboard/).",
        )

    def handle(self, username, email, password_from_env, supervisor=False, **options):
        user_model = get_user_model()
        username = username.strip()
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError as error:
            raise CommandError(
                f"{username!r} is not a valid username: {error.messages[0]}"
            ) from None
        if user_model.objects.filter(user_id=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        if is_well_formed(normalise_user_id(username)) and (
            Person.objects.filter(employee_id=normalise_user_id(username)).exists()
        ):
            # Signing in with that name would reach the employee, never the agent.
            raise CommandError(
                f"{username!r} is an Employee ID in the roster; choose another name."
            )
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f"{email!r} is not a valid e-mail address.") from None
        user = user_model(user_id=username, email=email)
        password = self._password(password_from_env)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError("The password is refused: " + " ".join(error.messages)) from None
        user.set_password(password)
        codenames = ["act_on_tickets", *(["view_dashboard"] if supervisor else [])]
        permissions = Permission.objects.filter(
            content_type__app_label="helpdesk", codename__in=codenames
        )
        with transaction.atomic():
            user.save()
            user.user_permissions.add(*permissions)
            record_event(
                EventTag.Helpdesk.AGENT_CREATED,
                actor="cli",
                outcome="created",
                detail={"agent": username, **({"supervisor": True} if supervisor else {})},
            )
        self.stdout.write(f"Help-desk agent {username!r} created; they log in at /helpdesk/login/.")

    def _password(self, variable: str | None) -> str:
        if variable:
            password = os.environ.get(variable)
            if not password:
                raise CommandError(f"The environment variable {variable} is not set or empty.")
            return password
        if not sys.stdin.isatty():
            raise CommandError(
                "No terminal to ask for the password; use --password-from-env VAR instead."
            )
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        if not password:
            raise CommandError("The password must not be empty.")
        return password
