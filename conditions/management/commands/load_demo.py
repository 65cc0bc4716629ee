from django.core.management.base import BaseCommand

from conditions.app_modules import app_modules


class Command(BaseCommand):
    help = "Load the demo content (the Dystonia guide and, from the other apps, their demo rows). Safe to re-run."

    def handle(self, *args, **options):
        # Each app that has demo rows keeps them in its own demo.py, loaded in
        # INSTALLED_APPS order, so conditions never needs to know the other apps.
        for module in app_modules("demo"):
            module.load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))
