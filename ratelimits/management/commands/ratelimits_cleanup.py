from django.core.management.base import BaseCommand

from ratelimits.counters import counters_delete_ended


class Command(BaseCommand):
    help = "Delete rate-limit counters whose window has ended. Safe to run at any time; run it daily."

    def handle(self, *args, **options):
        deleted = counters_delete_ended()
        self.stdout.write(f"Deleted {deleted} rate-limit counter{'s' if deleted != 1 else ''} whose window had ended.")
