from django.core.management.base import BaseCommand, CommandError

from staffgate.oidc import registry


class Command(BaseCommand):
    help = "Remove a registered app (by name or client ID) and every token it holds."

    def add_arguments(self, parser):
        parser.add_argument("app", help="Its name or client ID.")

    def handle(self, app, **options):
        try:
            name = registry.remove_app(app)
        except registry.AppError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{name}: removed, with its tokens.")
