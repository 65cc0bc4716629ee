"""A version counter per comment thread, moved by database triggers on every write it shows."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from conditions.version_triggers import Counter, drop_row_trigger_sql, row_trigger_sql, run

COUNTER = Counter(table="comments_commentthread", key="page_id")
TRIGGERS = [
    # Post, hide, remove, reinstate, delete, an author's account going (author set to null).
    ("comments_comment_version", "comments_comment", "ROW.page_id"),
    # Opening or closing comments, pre-moderation.
    ("comments_commentsettings_version", "comments_commentsettings", "ROW.page_id"),
    # A clinician's note added, changed or removed under a comment.
    (
        "comments_clinicalnote_version",
        "comments_clinicalnote",
        "SELECT page_id FROM comments_comment WHERE id = ROW.comment_id",
    ),
]
RENAME = "comments_author_rename_version"
NEW_GUIDE = "comments_new_guide_thread"


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    user_table = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
    for name, table, page_id in TRIGGERS:
        run(schema_editor, row_trigger_sql(vendor, name=name, table=table, counter=COUNTER, page_id=page_id))
    # The thread shows each author's username: renaming an account moves every thread they wrote in.
    rename = (
        "UPDATE comments_commentthread SET version = version + 1 "
        "WHERE page_id IN (SELECT c.page_id FROM comments_comment c WHERE c.author_id = NEW.id)"
    )
    # A new condition page gets its thread counter at once, so its empty thread can be cached.
    new_guide = "INSERT INTO comments_commentthread (page_id, version) VALUES (NEW.id, 1) ON CONFLICT DO NOTHING"
    if vendor == "postgresql":
        run(
            schema_editor,
            [
                f"CREATE OR REPLACE FUNCTION {RENAME}() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$BEGIN {rename}; RETURN NULL; END$$",
                f"CREATE OR REPLACE TRIGGER {RENAME} AFTER UPDATE OF username ON {user_table} FOR EACH ROW "
                f"WHEN (OLD.username IS DISTINCT FROM NEW.username) EXECUTE FUNCTION {RENAME}()",
                f"CREATE OR REPLACE FUNCTION {NEW_GUIDE}() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$BEGIN {new_guide}; RETURN NULL; END$$",
                f"CREATE OR REPLACE TRIGGER {NEW_GUIDE} AFTER INSERT ON conditions_page FOR EACH ROW "
                f"WHEN (NEW.parent_id IS NULL) EXECUTE FUNCTION {NEW_GUIDE}()",
            ],
        )
    else:
        run(
            schema_editor,
            [
                f"CREATE TRIGGER IF NOT EXISTS {RENAME} AFTER UPDATE OF username ON {user_table} FOR EACH ROW "
                f"WHEN OLD.username IS NOT NEW.username BEGIN {rename}; END",
                f"CREATE TRIGGER IF NOT EXISTS {NEW_GUIDE} AFTER INSERT ON conditions_page FOR EACH ROW "
                f"WHEN NEW.parent_id IS NULL BEGIN {new_guide}; END",
            ],
        )
    # Every condition page starts with a counter, so a delete (which only bumps an existing row) is counted.
    run(
        schema_editor,
        [
            "INSERT INTO comments_commentthread (page_id, version) SELECT id, 1 FROM conditions_page "
            "WHERE parent_id IS NULL ON CONFLICT DO NOTHING"
        ],
    )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    user_table = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
    for name, table, _ in TRIGGERS:
        run(schema_editor, drop_row_trigger_sql(vendor, name=name, table=table))
    if vendor == "postgresql":
        run(
            schema_editor,
            [
                f"DROP TRIGGER IF EXISTS {RENAME} ON {user_table}",
                f"DROP FUNCTION IF EXISTS {RENAME}()",
                f"DROP TRIGGER IF EXISTS {NEW_GUIDE} ON conditions_page",
                f"DROP FUNCTION IF EXISTS {NEW_GUIDE}()",
            ],
        )
    else:
        run(schema_editor, [f"DROP TRIGGER IF EXISTS {RENAME}", f"DROP TRIGGER IF EXISTS {NEW_GUIDE}"])


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0007_clinical_note_to_clinical_reviewers"),
        ("conditions", "0005_content_version"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CommentThread",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveBigIntegerField(default=1, verbose_name="version")),
                (
                    "page",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="comment_thread",
                        to="conditions.page",
                        verbose_name="condition page",
                    ),
                ),
            ],
            options={
                "verbose_name": "comment thread version",
                "verbose_name_plural": "comment thread versions",
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
