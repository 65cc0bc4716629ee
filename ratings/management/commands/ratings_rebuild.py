from django.core.management.base import BaseCommand

from ratings.services import rating_summaries_rebuild


class Command(BaseCommand):
    help = "Recount every page's rating summary from the raw ratings and print any drift corrected."

    def handle(self, *args, **options):
        drifts = rating_summaries_rebuild()
        if not drifts:
            self.stdout.write("No drift: every summary matches its ratings.")
            return
        for drift in drifts:
            self.stdout.write(f"Corrected {drift}")
        self.stdout.write(self.style.WARNING(f"Corrected {len(drifts)} summar{'y' if len(drifts) == 1 else 'ies'}."))
