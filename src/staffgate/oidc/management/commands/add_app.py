import json

from django.core.management.base import BaseCommand, CommandError

from staffgate.oidc import registry


class Command(BaseCommand):
    help = "Register an app that signs people in through staffgate (prints its secret once)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--redirect-uri", action="append", required=True, dest="redirect_uris")
        parser.add_argument("--public", action="store_true", help="No secret; PKCE required.")
        parser.add_argument("--first-party", action="store_true", help="No consent page.")
        parser.add_argument("--scopes", default=registry.DEFAULT_SCOPES)
        parser.add_argument("--backchannel-logout-uri", default="")
        parser.add_argument(
            "--post-logout-redirect-uri", action="append", default=[], dest="post_logout_uris"
        )
        parser.add_argument("--launch-url", default="", help="Where the home page links to.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, name, **options):
        try:
            app = registry.add_app(
                name,
                redirect_uris=options["redirect_uris"],
                public=options["public"],
                first_party=options["first_party"],
                scopes=options["scopes"],
                backchannel_logout_uri=options["backchannel_logout_uri"],
                post_logout_redirect_uris=options["post_logout_uris"],
                launch_url=options["launch_url"],
            )
        except registry.AppError as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            data = {"name": app.name, "client_id": app.client_id}
            if app.client_secret:
                data["client_secret"] = app.client_secret
            self.stdout.write(json.dumps(data))
            return
        self.stdout.write(f"{app.name}: registered.")
        self.stdout.write(f"client_id:     {app.client_id}")
        if app.client_secret:
            self.stdout.write(f"client_secret: {app.client_secret}")
            self.stdout.write("Keep the secret now: staffgate stores only its hash.")
        else:
            self.stdout.write("Public app: no secret; it must use PKCE (S256).")
