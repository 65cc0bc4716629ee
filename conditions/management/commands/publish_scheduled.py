"""Publish approved guide changes whose publication time has come.

Run it every few minutes from cron or a systemd timer (README, "Clinical review"). Safe to
run twice or at once: each change is locked and published only if it is not published yet.
"""

from django.core.management.base import BaseCommand
from django.utils.dateparse import parse_datetime

from conditions.services import revisions_publish_scheduled


class Command(BaseCommand):
    help = "Publish approved guide changes whose publication time has come."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Act as if it were this time (ISO 8601 with offset), for testing.")

    def handle(self, *args, now=None, **options):
        when = parse_datetime(now) if now else None
        published = revisions_publish_scheduled(now=when)
        for revision in published:
            self.stdout.write(f"Published {revision}")
        self.stdout.write(f"{len(published)} scheduled change{'s' if len(published) != 1 else ''} published.")
