"""The Moderators group: exactly the permissions to review comments and reports and decide on them.

Nothing on condition content or ratings, and no user management beyond the one custom
permission to ban a commenter (not auth.change_user). Permissions are normally made
after all migrations run, so they are created here first for this app.
"""

from django.db import migrations

from dystonia_portal.group_permissions import group_grant

GROUP_NAME = "Moderators"
CODENAMES = [
    "view_comment",
    "change_comment",
    "ban_commenter",
    "view_report",
    "change_report",
    "view_moderationdecision",
    "add_moderationdecision",
    "view_commentsettings",
    "add_commentsettings",
    "change_commentsettings",
]


def create_moderators_group(apps, schema_editor):
    group_grant(apps, group=GROUP_NAME, app_label="comments", codenames=CODENAMES, exactly=True)


def remove_moderators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("comments", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_moderators_group, remove_moderators_group)]
