"""Second factors of an account: authenticator apps, passkeys and recovery codes.

No secret is kept readable: a TOTP key is stored encrypted (``crypto``), a recovery
code only as its SHA-256 digest (each code carries 80 random bits, out of reach of
guessing from a dump). A passkey's secret never leaves the person's device: the portal
keeps only its public key.
"""

from django.conf import settings
from django.db import models
from django_otp.models import Device, TimestampMixin

from staffgate.factors import crypto


class TotpFactor(TimestampMixin, Device):
    """An authenticator app (RFC 6238: 6 digits, 30-second steps, SHA-1, as every app does).

    ``confirmed`` is False between showing the QR code and the first right code.
    """

    encrypted_key = models.TextField()
    # The last time step accepted: a code of that step or an earlier one is refused.
    last_t = models.BigIntegerField(default=-1)

    class Meta:
        ordering = ["created_at", "pk"]

    @property
    def bin_key(self) -> bytes:
        return crypto.decrypt(self.encrypted_key)

    def verify_token(self, token) -> bool:
        """Django OTP's entry point: a right code of a step not used before (see ``totp``)."""
        from staffgate.factors import totp

        return totp.verify_and_consume(self, str(token))


class PasskeyFactor(TimestampMixin, Device):
    """A passkey or security key (WebAuthn): a public key and the authenticator's counter.

    Only confirmed (verified at registration) passkeys are stored; ``confirmed`` is
    always True and kept for django-otp's device listing.
    """

    # base64url, as the browser names the credential (at most 1023 bytes, WebAuthn L3).
    credential_id = models.CharField(max_length=1400, unique=True)
    public_key = models.BinaryField()  # COSE_Key, as the authenticator gave it
    sign_count = models.BigIntegerField(default=0)
    # The account's WebAuthn user handle (random, base64url): the same for all its passkeys.
    user_handle = models.CharField(max_length=128)
    transports = models.CharField(max_length=200, blank=True)
    # True for a passkey synced between devices (backup state of the authenticator data).
    backed_up = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "pk"]

    def verify_token(self, token) -> bool:
        """Passkeys answer a challenge, never a typed code (see ``passkeys``)."""
        return False


class SpentChallenge(models.Model):
    """A WebAuthn challenge already answered, by digest: the one insert that may spend it.

    Kept for the few minutes a challenge lives; two requests carrying the same challenge
    at once (on any server) cannot both pass the unique constraint.
    """

    digest = models.CharField(max_length=64, unique=True)
    spent_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"spent challenge {self.digest[:8]}"


class RecoveryCode(models.Model):
    """One single-use recovery code of an account, kept only as a digest."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "digest"], name="recovery_code_unique"),
        ]

    def __str__(self) -> str:
        return f"recovery code of {self.account_id}"


class EmailCode(models.Model):
    """A 6-digit code mailed to an address to prove it is the person's, kept as a keyed digest.

    ``subject`` is the User ID the code was sent for (registering, or changing the address).
    """

    subject = models.CharField(max_length=150, db_index=True)
    purpose = models.CharField(max_length=16)
    address = models.EmailField(max_length=254)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    sends = models.PositiveSmallIntegerField(default=1)
    last_sent_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"e-mail code for {self.subject}"
