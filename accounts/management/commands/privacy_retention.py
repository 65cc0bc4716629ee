from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.services import retention_erase_due
from ratelimits.counters import counters_delete_ended


class Command(BaseCommand):
    help = (
        "Erase what the privacy notice keeps only for a while: removed comments' text, unconfirmed "
        "accounts, ended sessions, old sign-in records and ended rate-limit counters. Run it daily."
    )

    def handle(self, *args, **options):
        erased = retention_erase_due()
        # The same work as `clearsessions` and `ratelimits_cleanup`, so one daily command is enough.
        import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
        erased["rate-limit counters"] = counters_delete_ended()
        self.stdout.write("Erased: " + ", ".join(f"{count} {what}" for what, count in erased.items()) + ".")
