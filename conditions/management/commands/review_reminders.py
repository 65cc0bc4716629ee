"""Email owners and clinical reviewers about guides whose review is due within 30 days or overdue.

Run it once a day (cron or a systemd timer; README, "Clinical review"). Each guide gets one
reminder per stage (due soon, then overdue) for each due date, however often this runs.
"""

import datetime

from django.core.management.base import BaseCommand

from conditions.services import review_reminders_send


class Command(BaseCommand):
    help = "Email owners and clinical reviewers about guides due for review soon or overdue."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="Act as if today were YYYY-MM-DD.")

    def handle(self, *args, today=None, **options):
        sent = review_reminders_send(today=today)
        for reminder in sent:
            self.stdout.write(f"Reminder sent: {reminder}")
        self.stdout.write(f"{len(sent)} reminder{'s' if len(sent) != 1 else ''} sent.")
