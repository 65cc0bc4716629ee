"""Editors read low-rating feedback and page rating summaries, and mark feedback handled.

Nothing else: editors cannot see or change individual ratings. Permissions are
normally made after all migrations run, so they are created here first (the same
step as conditions/migrations/0002_editors_group.py).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Editors"
CODENAMES = ["view_ratingfeedback", "change_ratingfeedback", "view_ratingsummary"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("ratings")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="ratings", codename__in=CODENAMES))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="ratings", codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0001_initial"),
        ("conditions", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
