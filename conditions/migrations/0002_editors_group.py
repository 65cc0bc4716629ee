"""The Editors group: exactly the permissions to keep condition content reviewed.

Nothing about comments, ratings or user accounts. Permissions are normally made
after all migrations run, so they are created here first for this app.
"""

from django.db import migrations

from dystonia_portal.group_permissions import group_grant

GROUP_NAME = "Editors"
MODELS = ["page", "section", "relatedlink"]
HISTORY_MODELS = ["historicalpage", "historicalsection", "historicalrelatedlink"]


def editor_codenames():
    codenames = [f"{action}_{model}" for model in MODELS for action in ("add", "change", "delete", "view")]
    codenames += [f"view_{model}" for model in HISTORY_MODELS]
    return codenames


def create_editors_group(apps, schema_editor):
    group_grant(apps, group=GROUP_NAME, app_label="conditions", codenames=editor_codenames(), exactly=True)


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("conditions", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
