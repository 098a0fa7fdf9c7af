"""Rows shared by every app server: throttling counters (when no Redis) and stored keys."""

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


class StoredKey(models.Model):
    """A random key made once for the whole installation, the same on every server."""

    name = models.CharField(max_length=100, primary_key=True)
    value = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "core_stored_key"

    def __str__(self) -> str:
        return self.name  # never the value
