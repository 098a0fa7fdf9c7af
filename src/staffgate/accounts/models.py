"""Everyone who signs in (employees and help-desk staff), their answers, locks and sessions."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from staffgate.roster.models import Person


class AccountManager(BaseUserManager):
    """Creates staff accounts; employees are created by the registration wizard."""

    use_in_migrations = True

    def create_user(self, user_id, password=None, **fields):
        if not user_id:
            raise ValueError("A user needs a user ID.")
        now = timezone.now()
        fields.setdefault("registered_at", now)
        fields.setdefault("password_changed_at", now)
        account = self.model(user_id=self.model.normalize_username(user_id), **fields)
        account.set_password(password)
        account.save(using=self._db)
        return account

    def create_superuser(self, user_id, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(user_id, password, **fields)


class Account(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: the portal's user model.

    An employee's account exists once the registration wizard has finished and
    is tied to their roster ``person``; its ``user_id`` is the normalised
    Employee ID. Help-desk agents and operators are staff accounts without a
    person, named by their username.
    """

    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="account", null=True, blank=True
    )
    user_id = models.CharField(max_length=150, unique=True)
    # Room for a hash with any Argon2 parameters (Django's default of 128 is too tight).
    password = models.CharField(max_length=256)
    email = models.EmailField(max_length=254, blank=True)
    # When the address was proved by a code mailed to it; an address counts as this
    # account's own (no one else may take it) only once proved.
    email_verified_at = models.DateTimeField(null=True, blank=True)
    app_id = models.CharField(max_length=64, blank=True, default="")
    language = models.CharField(max_length=5, default="en")
    # The zone the person's times are shown in; empty: the portal's (STAFFGATE_TIME_ZONE).
    time_zone = models.CharField(max_length=64, blank=True, default="")
    terms_version = models.CharField(max_length=32, blank=True, default="")
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    registered_at = models.DateTimeField(default=timezone.now)
    password_changed_at = models.DateTimeField(default=timezone.now)
    previous_login_at = models.DateTimeField(null=True, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    objects = AccountManager()

    USERNAME_FIELD = "user_id"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="account_email_unique_ci"
            ),
        ]

    def __str__(self) -> str:
        return self.user_id

    @property
    def is_employee(self) -> bool:
        """True for a registered employee (tied to the roster), False for staff."""
        return self.person_id is not None


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
