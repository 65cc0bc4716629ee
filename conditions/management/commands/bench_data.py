import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from conditions.app_modules import app_modules

USER_COUNT = 5000
# Every benchmark account shares this password, so the benchmark can sign any of them in.
BENCH_PASSWORD = "benchmark-reader-password-not-secret"  # noqa: S105 - benchmark data only


def bench_username(number: int) -> str:
    return f"bench-reader-{number:04d}"


class Command(BaseCommand):
    help = (
        "Build the benchmark data on PostgreSQL: the Dystonia guide, 50 generated conditions, 5,000 users, "
        "1,000,000 ratings and 20,000 comments (from each app's bench.py). Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--search-pages",
            type=int,
            default=0,
            metavar="N",
            help="Also make N benchmark filler pages with sections (made-up words) for the search benchmark.",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_data loads a million rows with COPY: run it on PostgreSQL (set DATABASE_URL).")
        started = time.monotonic()
        call_command("load_demo", stdout=self.stdout)
        self.build_users()
        # Each app that has benchmark rows keeps them in its own bench.py, built in
        # INSTALLED_APPS order, so conditions never needs to know the other apps.
        for module in app_modules("bench"):
            module.build(stdout=self.stdout)
        if options["search_pages"]:
            from conditions.bench import build_search_filler

            build_search_filler(pages=options["search_pages"], stdout=self.stdout)
        with connection.cursor() as cursor:
            # Fresh statistics for the planner; VACUUM also sets the visibility map that
            # index-only scans need (it cannot run inside a transaction, as in tests).
            cursor.execute("VACUUM ANALYZE" if connection.get_autocommit() else "ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Benchmark data ready in {time.monotonic() - started:.1f}s."))

    @transaction.atomic
    def build_users(self):
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
        self.stdout.write(
            f"Users: {len(missing)} made, {USER_COUNT} benchmark users ({time.monotonic() - started:.1f}s)"
        )
