from django.db import models
from django.db.models import Q


class Counter(models.Model):
    """Requests counted for one key (scope and reader) in one fixed window.

    Rows are only ever changed by one atomic statement (ratelimits.counters), and a row is
    deleted only after its window has ended (`manage.py ratelimits_cleanup`), so a live
    count can neither lose an update nor be evicted.
    """

    key = models.CharField("key", max_length=200)
    window_start = models.BigIntegerField("window start", help_text="Seconds since the epoch.")
    count = models.PositiveIntegerField("requests", default=1)
    expires_at = models.DateTimeField("window ends", db_index=True)

    class Meta:
        verbose_name = "rate-limit counter"
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratelimits_one_counter_per_window"),
            models.CheckConstraint(condition=Q(count__gte=1), name="ratelimits_count_positive"),
        ]

    def __str__(self):
        return f"{self.key} @ {self.window_start}: {self.count}"
