"""Request counters for rate limits: atomic, and never evicted while their window is live.

A counter counts requests for one key (a scope and a reader) in a fixed window of `period`
seconds that starts at a multiple of `period` since the epoch. Counting a request and
reading the new total is one atomic step, so simultaneous requests can neither overshoot
a limit nor lose a count:

- in the database (PostgreSQL, or SQLite 3.35 or later), one statement:
  INSERT ... ON CONFLICT (key, window_start) DO UPDATE SET count = count + 1 RETURNING count;
- in Redis, when settings.REDIS_URL is set: INCR, and EXPIREAT the window's end, in one MULTI.

A database row is deleted only once its window has ended (counters_delete_ended, run daily by
`manage.py ratelimits_cleanup`); Redis drops a key itself when its window has ended. Nothing
culls a live counter, however many readers there are.
"""

import datetime
import functools
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import Counter


@dataclass(frozen=True)
class Hit:
    count: int  # requests counted in this window, this one included
    retry_after: int  # whole seconds until the window ends, at least 1


def window_bounds(now: float, period: int) -> tuple[int, int]:
    """The fixed window holding `now` (seconds since the epoch): (start, end)."""
    start = int(now) // period * period
    return start, start + period


def counter_increment(*, key: str, period: int) -> Hit:
    """Count one request for `key` in the current window of `period` seconds."""
    now = timezone.now().timestamp()
    start, end = window_bounds(now, period)
    count = _redis_increment(key, start, end) if settings.REDIS_URL else _database_increment(key, start, end)
    return Hit(count=count, retry_after=max(1, math.ceil(end - now)))


def _database_increment(key: str, start: int, end: int) -> int:
    quote = connection.ops.quote_name
    table = quote(Counter._meta.db_table)
    key_column, start_column, count_column, expires_column = (
        quote(Counter._meta.get_field(name).column) for name in ("key", "window_start", "count", "expires_at")
    )
    expires_at = Counter._meta.get_field("expires_at").get_db_prep_value(
        datetime.datetime.fromtimestamp(end, tz=datetime.UTC), connection
    )
    # Only quoted names from the model are formatted in; the values are parameters.
    sql = (
        f"INSERT INTO {table} ({key_column}, {start_column}, {count_column}, {expires_column}) "  # noqa: S608
        f"VALUES (%s, %s, 1, %s) "
        f"ON CONFLICT ({key_column}, {start_column}) DO UPDATE SET {count_column} = {table}.{count_column} + 1 "
        f"RETURNING {count_column}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, start, expires_at])
        return cursor.fetchone()[0]


@functools.lru_cache(maxsize=4)
def _redis_client(url: str):
    import redis

    return redis.Redis.from_url(url)


def _redis_increment(key: str, start: int, end: int) -> int:
    name = f"ratelimit:{key}:{start}"
    pipe = _redis_client(settings.REDIS_URL).pipeline(transaction=True)
    pipe.incr(name)
    # The same absolute end every time, so setting it again on each request changes nothing.
    pipe.expireat(name, end + 1)
    count, _ = pipe.execute()
    return count


def counters_delete_ended(*, now=None) -> int:
    """Delete the database counters whose window has ended; a live window is never touched."""
    deleted, _ = Counter.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
