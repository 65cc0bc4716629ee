"""`manage.py bench_data`: the benchmark's data (benchmarks.data), on PostgreSQL only.

An app only in benchmarks/settings.py, which `make bench` runs with, so the site itself
never carries the command.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from benchmarks import data


class Command(BaseCommand):
    help = (
        "Build the benchmark data on PostgreSQL: the Dystonia guide, 50 generated conditions, 5,000 users, "
        "1,000,000 ratings and 20,000 comments. Safe to re-run."
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
        data.build(stdout=self.stdout, search_pages=options["search_pages"])
