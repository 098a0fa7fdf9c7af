"""Help tickets filed through the Technical Help Form, and what the help desk did about them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

AGENT_PERMISSION = "helpdesk.act_on_tickets"
# Supervisors also see the operations dashboard (what happened across the portal).
SUPERVISOR_PERMISSION = "helpdesk.view_dashboard"


class Topic(models.TextChoices):
    UNLOCK = "unlock", _("My account is locked")
    PASSWORD = "password", _("I forgot my password or cannot log in")
    OTHER = "other", _("Something else")


class TicketStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Ticket(models.Model):
    """One request for help. What the person typed is kept as typed, never trusted."""

    reference = models.CharField(max_length=16, unique=True)
    user_id = models.CharField(max_length=20, db_index=True)
    full_name = models.CharField(max_length=150)
    # The name without case or accents, so that agents find "Peña" by typing "pena".
    name_folded = models.CharField(max_length=150, blank=True, default="", db_index=True)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=32, blank=True, default="")
    topic = models.CharField(max_length=16, choices=Topic.choices)
    message = models.TextField(max_length=2000)
    language = models.CharField(max_length=5, default="en")
    ip = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(
        max_length=8, choices=TicketStatus.choices, default=TicketStatus.OPEN, db_index=True
    )
    created_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="closed_tickets",
    )
    close_reason = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("act_on_tickets", "Can work the help desk queue and act on tickets"),
            ("view_dashboard", "Can see the operations dashboard (help-desk supervisors)"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status == TicketStatus.OPEN


class Action(models.TextChoices):
    UNLOCK = "unlock", _("Unlocked the account")
    RESET_REGISTRATION = "reset_registration", _("Reset the registration")
    RESET_FACTORS = "reset_factors", _("Reset the second factors")
    REPLY = "reply", _("Replied to the person")
    CLOSE = "close", _("Closed the ticket")


class TicketNote(models.Model):
    """One step in a ticket's history: which agent did what, and why."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    # Kept as text too, so the history still names the agent after their user is removed.
    author_name = models.CharField(max_length=150)
    action = models.CharField(max_length=24, choices=Action.choices)
    outcome = models.CharField(max_length=32, blank=True, default="")
    reason = models.CharField(max_length=500, blank=True, default="")
    # A reply: the text mailed to the person, the address and the language it went in.
    message = models.TextField(max_length=5000, blank=True, default="")
    mailed_to = models.EmailField(max_length=254, blank=True, default="")
    language = models.CharField(max_length=5, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action} by {self.author_name}"
