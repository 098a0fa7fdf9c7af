"""Counters shared by every app server when no Redis is configured."""

from django.db import models


class ThrottleCount(models.Model):
    """Failures of one address in one scope during the current window."""

    key = models.CharField(max_length=200, primary_key=True)
    slot = models.BigIntegerField()
    hits = models.PositiveIntegerField(default=0)
    expires_at = models.BigIntegerField(db_index=True)

    class Meta:
        db_table = "core_throttle_count"

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"
