"""Editors manage search synonyms: they know which lay words mean what on their pages."""

from django.db import migrations

from dystonia_portal.group_permissions import group_grant, group_revoke

GROUP_NAME = "Editors"
CODENAMES = [f"{action}_synonym" for action in ("add", "change", "delete", "view")]


def give_editors_synonyms(apps, schema_editor):
    group_grant(apps, group=GROUP_NAME, app_label="conditions", codenames=CODENAMES)


def take_synonyms_from_editors(apps, schema_editor):
    group_revoke(apps, group=GROUP_NAME, app_label="conditions", codenames=CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("conditions", "0006_search"),
    ]

    operations = [migrations.RunPython(give_editors_synonyms, take_synonyms_from_editors)]
