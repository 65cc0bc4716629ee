"""A version on each rating summary row, moved by a database trigger on every change to the row."""

from django.db import migrations, models

NAME = "ratings_summary_version"


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = [
            f"CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS "
            "$$BEGIN NEW.version := OLD.version + 1; RETURN NEW; END$$",
            f"CREATE OR REPLACE TRIGGER {NAME} BEFORE UPDATE ON ratings_ratingsummary FOR EACH ROW EXECUTE FUNCTION {NAME}()",
        ]
    else:
        # SQLite cannot change NEW: the row is written again, unless the write already moved it on.
        statements = [
            f"CREATE TRIGGER IF NOT EXISTS {NAME} AFTER UPDATE ON ratings_ratingsummary FOR EACH ROW "  # noqa: S608 - constant
            "WHEN NEW.version <= OLD.version "
            "BEGIN UPDATE ratings_ratingsummary SET version = OLD.version + 1 WHERE id = NEW.id; END"
        ]
    for statement in statements:
        schema_editor.execute(statement, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = [f"DROP TRIGGER IF EXISTS {NAME} ON ratings_ratingsummary", f"DROP FUNCTION IF EXISTS {NAME}()"]
    else:
        statements = [f"DROP TRIGGER IF EXISTS {NAME}"]
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0002_editors_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="ratingsummary",
            name="version",
            field=models.PositiveBigIntegerField(default=1, editable=False, verbose_name="version"),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
