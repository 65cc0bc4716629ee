"""A version per member, moved by database triggers on every write to what they see of their own.

This migration makes the counter with each account (and for every account already there), and
moves it when the account or its profile changes. The ratings and comments apps' own
`member_version` migrations move it for the member's ratings, feedback, comments and reports.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from conditions.version_triggers import Counter, drop_row_trigger_sql, row_trigger_sql, run

TABLE = "accounts_memberversion"
ACCOUNT = "accounts_account_member_version"
PROFILE = "accounts_profile_member_version"


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    user_table = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
    counter = Counter(table=TABLE, key="user_id", parent=user_table)
    # A new account gets its row (and an edited one moves it): the row is made with what it counts.
    run(schema_editor, row_trigger_sql(vendor, name=ACCOUNT, table=user_table, counter=counter, page_id="ROW.id"))
    # The profile only moves an existing row: it goes with its account, whose row may be going too.
    run(
        schema_editor,
        row_trigger_sql(
            vendor, name=PROFILE, table="accounts_profile", counter=counter, page_id="ROW.user_id", create=False
        ),
    )
    # Every account there already gets its row. Constant SQL written here, never input. (SQLite
    # reads ON CONFLICT after a SELECT only once it has a WHERE.)
    backfill = (
        f"INSERT INTO {TABLE} (user_id, version) SELECT id, 1 FROM {user_table} WHERE true ON CONFLICT DO NOTHING"  # noqa: S608
    )
    run(schema_editor, [backfill])


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    user_table = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
    run(schema_editor, drop_row_trigger_sql(vendor, name=ACCOUNT, table=user_table))
    run(schema_editor, drop_row_trigger_sql(vendor, name=PROFILE, table="accounts_profile"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_display_names_and_moderators"),
        ("conditions", "0008_versions_notify"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MemberVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveBigIntegerField(default=1, editable=False, verbose_name="version")),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="member_version",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="account",
                    ),
                ),
            ],
            options={"verbose_name": "member version", "verbose_name_plural": "member versions"},
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
