"""The thread row also counts its published comments, kept by database triggers like its version.

The page of comments needs the count for its pagination; counting 20,000 rows on every
uncached build made the Dystonia page's cost grow with its comments. Triggers keep the count
in the same transaction as each insert, status change, move and delete, whatever made it.
"""

from django.db import migrations, models

PUBLISHED = "'published'"
# One more: the thread row is made if the page has none yet. One fewer: the row is there,
# since it counted the comment.
ADD = (
    "INSERT INTO comments_commentthread (page_id, version, published) VALUES (NEW.page_id, 1, 1) "
    "ON CONFLICT (page_id) DO UPDATE SET published = comments_commentthread.published + 1"
)
TAKE = "UPDATE comments_commentthread SET published = published - 1 WHERE page_id = OLD.page_id"
NAME = "comments_comment_published_count"


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    add, take = ADD, TAKE
    if vendor == "postgresql":
        statements = [
            f"CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN\n"
            f"  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = {PUBLISHED} THEN {take}; END IF;\n"
            f"  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = {PUBLISHED} THEN {add}; END IF;\n"
            "  RETURN NULL;\nEND$$",
            f"CREATE OR REPLACE TRIGGER {NAME} AFTER INSERT OR UPDATE OF status, page_id OR DELETE "
            f"ON comments_comment FOR EACH ROW EXECUTE FUNCTION {NAME}()",
        ]
    else:
        statements = [
            f"CREATE TRIGGER IF NOT EXISTS {NAME}_insert AFTER INSERT ON comments_comment "
            f"FOR EACH ROW WHEN NEW.status = {PUBLISHED} BEGIN {add}; END",
            f"CREATE TRIGGER IF NOT EXISTS {NAME}_update_old AFTER UPDATE OF status, page_id ON comments_comment "
            f"FOR EACH ROW WHEN OLD.status = {PUBLISHED} BEGIN {take}; END",
            f"CREATE TRIGGER IF NOT EXISTS {NAME}_update_new AFTER UPDATE OF status, page_id ON comments_comment "
            f"FOR EACH ROW WHEN NEW.status = {PUBLISHED} BEGIN {add}; END",
            f"CREATE TRIGGER IF NOT EXISTS {NAME}_delete AFTER DELETE ON comments_comment "
            f"FOR EACH ROW WHEN OLD.status = {PUBLISHED} BEGIN {take}; END",
        ]
    # What is there already, counted once.
    statements.append(
        "UPDATE comments_commentthread SET published = (SELECT COUNT(*) FROM comments_comment c "  # noqa: S608
        f"WHERE c.page_id = comments_commentthread.page_id AND c.status = {PUBLISHED})"
    )
    for statement in statements:
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = [f"DROP TRIGGER IF EXISTS {NAME} ON comments_comment", f"DROP FUNCTION IF EXISTS {NAME}()"]
    else:
        statements = [
            f"DROP TRIGGER IF EXISTS {NAME}_{event}" for event in ("insert", "update_old", "update_new", "delete")
        ]
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("comments", "0009_display_name_version")]

    operations = [
        # ADD COLUMN rather than Django's AddField: on SQLite that rebuilds the table, and the
        # rebuild fails while other tables' triggers (migration 0008) name it.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="commentthread",
                    name="published",
                    field=models.PositiveIntegerField(default=0, verbose_name="published comments"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE comments_commentthread ADD COLUMN published integer NOT NULL DEFAULT 0 "
                    "CHECK (published >= 0)",
                    "ALTER TABLE comments_commentthread DROP COLUMN published",
                ),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
