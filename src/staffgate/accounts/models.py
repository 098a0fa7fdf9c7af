"""Employee accounts, their challenge answers, lock counters and live sessions."""

from django.db import models
from django.db.models.functions import Lower

from staffgate.roster.models import Person


class Account(models.Model):
    """A registered person. Exists only once the registration wizard has finished."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="account")
    user_id = models.CharField(max_length=20, unique=True)
    password = models.CharField(max_length=256)
    email = models.EmailField(max_length=254)
    app_id = models.CharField(max_length=64, blank=True, default="")
    language = models.CharField(max_length=5, default="en")
    terms_version = models.CharField(max_length=32)
    terms_accepted_at = models.DateTimeField()
    registered_at = models.DateTimeField()
    password_changed_at = models.DateTimeField()
    last_login_at = models.DateTimeField(null=True, blank=True)
    previous_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="account_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.user_id


class ChallengeAnswer(models.Model):
    """One of an account's three questions, with the Argon2id hash of its answer."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="answers")
    position = models.PositiveSmallIntegerField()
    question_key = models.CharField(max_length=32)
    answer_hash = models.CharField(max_length=256)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["account", "position"], name="answer_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}#{self.position} {self.question_key}"


class AccessLock(models.Model):
    """Failure counters and locks for one User ID, known to the roster or not.

    Keyed by the normalised ID so that unknown IDs lock exactly like real ones.
    """

    user_id = models.CharField(max_length=64, primary_key=True)
    login_failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    recovery_failures = models.PositiveIntegerField(default=0)
    recovery_locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_access_lock"

    def __str__(self) -> str:
        return self.user_id


class AccountSession(models.Model):
    """A live login of an account, so that its other sessions can be listed and ended."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"session of {self.account_id} since {self.created_at:%Y-%m-%d %H:%M}"
