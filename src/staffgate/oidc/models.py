"""What the portal keeps about each registered app and each sign-in it made there."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AppProfile(models.Model):
    """The portal's side of a registered app (django-oauth-toolkit keeps the OAuth side)."""

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    # Scopes the app may ask for, space separated; "employee" only where HR allows it.
    allowed_scopes = models.CharField(max_length=200, default="openid profile email")
    first_party = models.BooleanField(default=False)
    backchannel_logout_uri = models.URLField(max_length=500, blank=True, default="")
    launch_url = models.URLField(max_length=500, blank=True, default="")

    def __str__(self) -> str:
        return self.application.name

    @property
    def scopes(self) -> list[str]:
        return self.allowed_scopes.split()


class SignIn(models.Model):
    """One authorization code issued to an app, and the tokens it was exchanged for.

    It carries the portal session (``sid``), its login time and the methods it was
    signed in with into the ID tokens, tells which apps to notify when that session
    ends, and lets a replayed code revoke what the code issued.
    """

    code_digest = models.CharField(max_length=64, unique=True)
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="sign_ins",
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_ins"
    )
    sid = models.CharField(max_length=64, db_index=True)
    # The issuer the app was told, so a logout token made later by the worker matches it.
    issuer = models.CharField(max_length=300)
    auth_time = models.DateTimeField()
    # How the portal session was signed in (RFC 8176 ``amr`` values, space separated) and
    # the level of assurance that makes, both told to the app in its ID tokens.
    amr = models.CharField(max_length=100, default="pwd")
    acr = models.CharField(max_length=100, default="urn:staffgate:acr:password")
    created_at = models.DateTimeField(auto_now_add=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    token_family = models.UUIDField(null=True, blank=True, db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.account} at {self.application}"
