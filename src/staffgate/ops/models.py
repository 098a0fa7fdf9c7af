"""What the service keeps about itself: the background workers' heartbeats."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """The last sign of life of one ``staffgate worker`` process (host and process ID)."""

    worker = models.CharField(max_length=200, unique=True)
    beat_at = models.DateTimeField(db_index=True)
    started_at = models.DateTimeField()

    class Meta:
        verbose_name = "worker heartbeat"

    def __str__(self) -> str:
        return f"{self.worker} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
