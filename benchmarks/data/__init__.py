"""The benchmark's data: what `manage.py bench_data` (benchmarks/management) builds for `make bench`.

Kept with the benchmark rather than in the apps: it is not part of the site, it only ever runs
against the benchmark's own database, and it may know every app (the apps never import it).
One module per app whose rows it makes, built in this order:

- `conditions`: 50 generated condition guides, a copy of the Dystonia guide with little data,
  and (`search_pages`) filler pages with sections for the search benchmark;
- `ratings`: 1,000,000 ratings, 200,000 on Dystonia, loaded with COPY;
- `comments`: 20,000 comments on Dystonia, 200 of them reported.

Every text says it is benchmark filler: none of it reads as health advice or experience.
Safe to re-run: what is there already is not made again.
"""

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction

from . import comments, conditions, ratings

USER_COUNT = 5000
# Every benchmark account shares this password, so the benchmark can sign any of them in.
BENCH_PASSWORD = "benchmark-reader-password-not-secret"  # noqa: S105 - benchmark data only


def bench_username(number: int) -> str:
    return f"bench-reader-{number:04d}"


def build(*, stdout, search_pages: int = 0) -> None:
    started = time.monotonic()
    call_command("load_demo", stdout=stdout)
    build_users(stdout=stdout)
    for module in (conditions, ratings, comments):
        module.build(stdout=stdout)
    if search_pages:
        conditions.build_search_filler(pages=search_pages, stdout=stdout)
    with connection.cursor() as cursor:
        # Fresh statistics for the planner; VACUUM also sets the visibility map that
        # index-only scans need (it cannot run inside a transaction, as in tests).
        cursor.execute("VACUUM ANALYZE" if connection.get_autocommit() else "ANALYZE")
    stdout.write(f"Benchmark data ready in {time.monotonic() - started:.1f}s.")


@transaction.atomic
def build_users(*, stdout) -> None:
    started = time.monotonic()
    User = get_user_model()
    existing = set(User.objects.filter(username__startswith="bench-reader-").values_list("username", flat=True))
    missing = [bench_username(n) for n in range(1, USER_COUNT + 1) if bench_username(n) not in existing]
    if missing:
        password = make_password(BENCH_PASSWORD)  # hashed once: hashing 5,000 times would take minutes
        User.objects.bulk_create(
            [User(username=name, email=f"{name}@example.org", password=password) for name in missing],
            batch_size=1000,
        )
    stdout.write(f"Users: {len(missing)} made, {USER_COUNT} benchmark users ({time.monotonic() - started:.1f}s)")
