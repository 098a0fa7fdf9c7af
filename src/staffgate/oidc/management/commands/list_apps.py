import json

from django.core.management.base import BaseCommand
from oauth2_provider.models import get_application_model


class Command(BaseCommand):
    help = "List the apps registered for single sign-on (never their secrets)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, **options):
        rows = []
        for app in get_application_model().objects.select_related("profile").order_by("name"):
            profile = getattr(app, "profile", None)
            rows.append(
                {
                    "name": app.name,
                    "client_id": app.client_id,
                    "type": app.client_type,
                    "first_party": bool(profile and profile.first_party),
                    "scopes": profile.allowed_scopes if profile else "openid",
                    "redirect_uris": app.redirect_uris.split(),
                    "backchannel_logout_uri": profile.backchannel_logout_uri if profile else "",
                    "launch_url": profile.launch_url if profile else "",
                }
            )
        if options["json"]:
            self.stdout.write(json.dumps(rows))
            return
        if not rows:
            self.stdout.write("No app is registered.")
        for row in rows:
            party = ", first-party" if row["first_party"] else ""
            self.stdout.write(f"{row['name']}  ({row['type']}{party})  {row['client_id']}")
            self.stdout.write(f"    scopes: {row['scopes']}")
            for uri in row["redirect_uris"]:
                self.stdout.write(f"    redirect: {uri}")
            if row["backchannel_logout_uri"]:
                self.stdout.write(f"    back-channel logout: {row['backchannel_logout_uri']}")
