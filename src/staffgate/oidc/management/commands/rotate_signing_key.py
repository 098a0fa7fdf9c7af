import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from staffgate.oidc.keys import rotate_signing_key
from staffgate.oidc.views import DISCOVERY_MAX_AGE


class Command(BaseCommand):
    help = (
        "Rotate the key that signs ID tokens, in two runs: the first publishes the next key "
        "(not yet signing); the second, once apps have fetched it, signs with it and keeps "
        "the former key published until its tokens expire. Restart the servers after each."
    )

    def handle(self, **options):
        path = settings.STAFFGATE_OIDC_KEY_PATH
        if not path:
            raise CommandError(
                "STAFFGATE_OIDC_KEY_FILE is not set: rotation needs the key in a file."
            )
        keep = settings.STAFFGATE_OIDC_ACCESS_TOKEN_SECONDS + DISCOVERY_MAX_AGE
        try:
            done = rotate_signing_key(Path(path), now=time.time(), keep_seconds=keep)
        except OSError as error:
            raise CommandError(f"cannot rotate the key in {path}: {error}") from None
        if done == "published":
            self.stdout.write(
                f"The next key is published (restart the servers). Run this again after "
                f"{DISCOVERY_MAX_AGE // 60} minutes to sign with it."
            )
        else:
            self.stdout.write(
                "New tokens are signed with the new key (restart the servers); the former key "
                f"stays published for {keep // 60} minutes, until its tokens expire."
            )
