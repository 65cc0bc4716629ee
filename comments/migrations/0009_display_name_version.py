"""The thread shows each author's display name (accounts.Profile): changing one moves the version
of every thread that author wrote in, in the same transaction, like the username trigger in 0008."""

from django.db import migrations

from conditions.version_triggers import run

NAME = "comments_display_name_version"
BUMP = (
    "UPDATE comments_commentthread SET version = version + 1 "
    "WHERE page_id IN (SELECT c.page_id FROM comments_comment c WHERE c.author_id = NEW.user_id)"
)


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        run(
            schema_editor,
            [
                f"CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$BEGIN {BUMP}; RETURN NULL; END$$",
                f"CREATE OR REPLACE TRIGGER {NAME} AFTER UPDATE OF display_name ON accounts_profile FOR EACH ROW "
                f"WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name) EXECUTE FUNCTION {NAME}()",
            ],
        )
    else:
        run(
            schema_editor,
            [
                f"CREATE TRIGGER IF NOT EXISTS {NAME} AFTER UPDATE OF display_name ON accounts_profile FOR EACH ROW "
                f"WHEN OLD.display_name IS NOT NEW.display_name BEGIN {BUMP}; END"
            ],
        )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        run(schema_editor, [f"DROP TRIGGER IF EXISTS {NAME} ON accounts_profile", f"DROP FUNCTION IF EXISTS {NAME}()"])
    else:
        run(schema_editor, [f"DROP TRIGGER IF EXISTS {NAME}"])


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0008_thread_version"),
        ("accounts", "0001_profile"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
