"""`manage.py alert_urgent_comments`: alert moderators again about urgent items nobody has acted on.

Run it every minute (cron or a systemd timer). Each item is alerted again once at most,
URGENT_REALERT_MINUTES after it opened, however often and on however many machines this runs.
"""

from django.core.management.base import BaseCommand

from comments import services


class Command(BaseCommand):
    help = "Email MODERATOR_EMAILS once more about urgent comments still untouched after URGENT_REALERT_MINUTES."

    def handle(self, *args, **options):
        count = services.urgent_items_realert()
        self.stdout.write(f"Urgent items alerted again: {count}")
