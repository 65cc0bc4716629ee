"""Database triggers that move a page's version counters in the same transaction as every write.

A cached page is keyed by counter rows (`conditions.ContentVersion`, `comments.CommentThread`,
`ratings.RatingSummary.version`). Triggers, not signals or `save()`, move them, so the count
is exact whatever made the change: a service, the admin, `QuerySet.update()`, a bulk delete,
a data migration or the shell. Each app's migrations create the triggers for its own tables
with these helpers; they are written out for PostgreSQL and SQLite, the two databases we run.

Creating a trigger again replaces it (tests/browser re-run data migrations after a flush).
A trigger either bumps a counter row, creating it when missing (on insert and update), or
only bumps an existing one (on delete, when the page it belongs to may be going too).
"""

from dataclasses import dataclass

from django.db import NotSupportedError
from django.db.migrations import RunPython

PAGE_TABLE = "conditions_page"
# Every statement that writes a counter table notifies this channel (conditions.versions_memo listens).
NOTIFY_CHANNEL = "conditions_versions"
NOTIFY_FUNCTION = "conditions_versions_notify"


@dataclass(frozen=True)
class Counter:
    """A counter table: one row per page (or per row of `parent`), found by `key`, with a `version` column."""

    table: str
    key: str
    parent: str = PAGE_TABLE

    def bump(self, page_id_sql: str, *, create: bool, unless: str = "") -> str:
        """SQL moving the counter of the page (or `parent` row) whose id `page_id_sql` gives (none
        for a missing one), unless the SQL condition `unless` holds."""
        skip = f" AND NOT ({unless})" if unless else ""
        if not create:
            # Constant SQL written by our migrations, never input.
            return f"UPDATE {self.table} SET version = version + 1 WHERE {self.key} = ({page_id_sql}){skip}"  # noqa: S608
        return (
            f"INSERT INTO {self.table} ({self.key}, version) SELECT ({page_id_sql}), 1 "  # noqa: S608
            f"WHERE EXISTS (SELECT 1 FROM {self.parent} WHERE id = ({page_id_sql})){skip} "
            f"ON CONFLICT ({self.key}) DO UPDATE SET version = {self.table}.version + 1"
        )


def row_trigger_sql(
    vendor: str, *, name: str, table: str, counter: Counter, page_id: str, create: bool = True
) -> list[str]:
    """Statements creating `name`: after each insert, update or delete of a row of `table`, bump
    the counter of the page `page_id` names, written over the row as `ROW` (for example
    `ROW.page_id`); an update bumps the row's old page and its new one. Without `create`, only
    existing counter rows move (for counters made with what they count, such as a member's).
    """
    new, old = page_id.replace("ROW.", "NEW."), page_id.replace("ROW.", "OLD.")
    same = f"({old}) IS NOT DISTINCT FROM ({new})" if vendor == "postgresql" else f"({old}) IS ({new})"
    on_insert = [counter.bump(new, create=create)]
    # A row that stayed with its page moves one version; one moved to another page moves both.
    on_update = [counter.bump(new, create=create), counter.bump(old, create=create, unless=same)]
    on_delete = [counter.bump(old, create=False)]
    if vendor == "postgresql":
        body = (
            "BEGIN\n"
            f"  IF TG_OP = 'INSERT' THEN {'; '.join(on_insert)};\n"
            f"  ELSIF TG_OP = 'UPDATE' THEN {'; '.join(on_update)};\n"
            f"  ELSE {'; '.join(on_delete)};\n"
            "  END IF;\n"
            "  RETURN NULL;\n"
            "END"
        )
        return [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$",
            f"CREATE OR REPLACE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()",
        ]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {name}_{event.lower()} AFTER {event} ON {table} FOR EACH ROW "
            f"BEGIN {'; '.join(statements)}; END"
            for event, statements in (("INSERT", on_insert), ("UPDATE", on_update), ("DELETE", on_delete))
        ]
    raise NotSupportedError(f"Page version triggers are written for PostgreSQL and SQLite, not {vendor}.")


def notify_trigger_sql(vendor: str, *, table: str) -> list[str]:
    """Statements making every statement that writes the counter table `table` send a NOTIFY on
    NOTIFY_CHANNEL, which PostgreSQL delivers when the transaction commits (one per transaction,
    however many rows moved). None on SQLite, which has no notifications and no listeners."""
    if vendor != "postgresql":
        return []
    return [
        f"CREATE OR REPLACE FUNCTION {NOTIFY_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$BEGIN PERFORM pg_notify('{NOTIFY_CHANNEL}', ''); RETURN NULL; END$$",
        f"CREATE OR REPLACE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {NOTIFY_FUNCTION}()",
    ]


def drop_notify_trigger_sql(vendor: str, *, table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_notify ON {table}"] if vendor == "postgresql" else []


def notify_operation(table: str) -> RunPython:
    """A migration's operation making (or, backwards, dropping) the counter table `table`'s NOTIFY trigger."""

    def create(apps, schema_editor):
        run(schema_editor, notify_trigger_sql(schema_editor.connection.vendor, table=table))

    def drop(apps, schema_editor):
        run(schema_editor, drop_notify_trigger_sql(schema_editor.connection.vendor, table=table))

    return RunPython(create, drop)


def row_triggers_operation(
    counter: Counter, triggers: list[tuple[str, str, str]], *, create: bool = True
) -> RunPython:
    """A migration's operation making (or, backwards, dropping) `row_trigger_sql` for each
    (name, table, page id written over `ROW`) in `triggers`, all moving `counter`."""

    def make(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for name, table, page_id in triggers:
            statements = row_trigger_sql(
                vendor, name=name, table=table, counter=counter, page_id=page_id, create=create
            )
            run(schema_editor, statements)

    def drop(apps, schema_editor):
        for name, table, _ in triggers:
            run(schema_editor, drop_row_trigger_sql(schema_editor.connection.vendor, name=name, table=table))

    return RunPython(make, drop)


def drop_row_trigger_sql(vendor: str, *, name: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]
    return [f"DROP TRIGGER IF EXISTS {name}_{event}" for event in ("insert", "update", "delete")]


def run(schema_editor, statements: list[str]) -> None:
    for statement in statements:
        schema_editor.execute(statement, params=None)
