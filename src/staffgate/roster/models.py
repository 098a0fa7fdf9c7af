"""The HR roster: who the employer says may come in."""

from django.db import models

from staffgate.roster.rows import MAX_LENGTHS


class Status(models.TextChoices):
    ACTIVE = "active"
    INACTIVE = "inactive"
    RETIRED = "retired"
    SEPARATED = "separated"


class Person(models.Model):
    """One row of the HR roster, keyed by the normalised Employee ID."""

    employee_id = models.CharField(max_length=20, unique=True)
    first_name = models.CharField(max_length=MAX_LENGTHS["first_name"])
    last_name = models.CharField(max_length=MAX_LENGTHS["last_name"])
    pin_last_name = models.CharField(
        max_length=MAX_LENGTHS["pin_last_name"], blank=True, default=""
    )
    birth_year = models.PositiveSmallIntegerField()
    country = models.CharField(max_length=2)
    status = models.CharField(max_length=16, choices=Status.choices)
    retirement_plan = models.BooleanField(default=False)
    separation_date = models.DateField(null=True, blank=True)
    email = models.CharField(max_length=MAX_LENGTHS["email"], blank=True, default="")
    language = models.CharField(max_length=5, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)
    # Set when a full roster import no longer lists the person: kept, but no longer let in.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "roster person"
        verbose_name_plural = "roster"

    def __str__(self) -> str:
        return f"{self.employee_id} {self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
