from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the demo content (the Dystonia guide and, from the other apps, their demo rows). Safe to re-run."

    def handle(self, *args, **options):
        # Each app that has demo rows keeps them in its own demo.py, loaded in
        # INSTALLED_APPS order, so conditions never needs to know the other apps.
        for app_config in apps.get_app_configs():
            if find_spec(f"{app_config.name}.demo") is None:
                continue
            import_module(f"{app_config.name}.demo").load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))
