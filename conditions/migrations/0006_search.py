"""Stored search documents kept by the database itself, trigram indexes, and search synonyms.

Why triggers and not signals or services: a page's search document must change in the same
transaction as every change to the page or its sections, whatever made it: the admin and its
inlines, `load_demo`, `bench_data`'s bulk_create, `QuerySet.update()`, a cascade, a data
migration or raw SQL. Only the database sees all of those; signals miss bulk writes and a
service is one path among several. The triggers touch nothing but conditions_searchdocument,
so they cannot clash with anything else that reacts to page and section writes (such as the
page-cache versions).

PostgreSQL: statement-level triggers (one refresh per page per statement, so a bulk insert of
10,000 sections costs one pass), writing a weighted tsvector (title A, summary B, headings B,
section text C, `english` config) behind a GIN index; pg_trgm indexes on titles and headings
for "Did you mean …?". SQLite: row-level triggers writing the same words, lower-cased, as text.

The same triggers move the one-row search version on any write to pages, sections or synonyms
(a page's status, parent and slug change what results show, not only its words), so a cached
search answer keyed by that version is never stale.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import NotSupportedError, migrations, models

POSTGRESQL_FORWARDS = [
    """
    CREATE OR REPLACE FUNCTION conditions_search_refresh(page_ids bigint[]) RETURNS void LANGUAGE sql AS $$
        INSERT INTO conditions_searchdocument (page_id, document, text)
        SELECT p.id,
               setweight(to_tsvector('english', p.title), 'A')
               || setweight(to_tsvector('english', p.summary), 'B')
               || setweight(to_tsvector('english', coalesce(string_agg(s.heading, ' ' ORDER BY s."order", s.id), '')), 'B')
               || setweight(to_tsvector('english', coalesce(string_agg(s.body, ' ' ORDER BY s."order", s.id), '')), 'C'),
               ''
        FROM conditions_page p LEFT JOIN conditions_section s ON s.page_id = p.id
        WHERE p.id = ANY(page_ids)
        GROUP BY p.id
        ON CONFLICT (page_id) DO UPDATE SET document = EXCLUDED.document
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION conditions_search_section_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM conditions_search_refresh(ARRAY(SELECT DISTINCT page_id FROM new_rows));
        ELSIF TG_OP = 'UPDATE' THEN
            -- A section moved to another page changes both pages' documents.
            PERFORM conditions_search_refresh(ARRAY(SELECT page_id FROM new_rows UNION SELECT page_id FROM old_rows));
        ELSE
            PERFORM conditions_search_refresh(ARRAY(SELECT DISTINCT page_id FROM old_rows));
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION conditions_search_page_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM conditions_search_refresh(ARRAY(SELECT id FROM new_rows));
        ELSE
            PERFORM conditions_search_refresh(ARRAY(
                SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE n.title IS DISTINCT FROM o.title OR n.summary IS DISTINCT FROM o.summary
            ));
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION conditions_search_page_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM conditions_searchdocument WHERE page_id = OLD.id;
        RETURN OLD;
    END
    $$
    """,
    """CREATE OR REPLACE TRIGGER conditions_search_section_insert AFTER INSERT ON conditions_section
       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION conditions_search_section_changed()""",
    """CREATE OR REPLACE TRIGGER conditions_search_section_update AFTER UPDATE ON conditions_section
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION conditions_search_section_changed()""",
    """CREATE OR REPLACE TRIGGER conditions_search_section_delete AFTER DELETE ON conditions_section
       REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION conditions_search_section_changed()""",
    """CREATE OR REPLACE TRIGGER conditions_search_page_insert AFTER INSERT ON conditions_page
       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION conditions_search_page_changed()""",
    """CREATE OR REPLACE TRIGGER conditions_search_page_update AFTER UPDATE ON conditions_page
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION conditions_search_page_changed()""",
    """CREATE OR REPLACE TRIGGER conditions_search_page_delete BEFORE DELETE ON conditions_page
       FOR EACH ROW EXECUTE FUNCTION conditions_search_page_deleted()""",
    "SELECT conditions_search_refresh(ARRAY(SELECT id FROM conditions_page))",
    "INSERT INTO conditions_searchversion (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
    """
    CREATE OR REPLACE FUNCTION conditions_search_version_move() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE conditions_searchversion SET version = version + 1 WHERE id = 1;
        RETURN NULL;
    END
    $$
    """,
    *(
        f"""CREATE OR REPLACE TRIGGER conditions_search_version_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
            ON conditions_{table} FOR EACH STATEMENT EXECUTE FUNCTION conditions_search_version_move()"""
        for table in ("page", "section", "synonym")
    ),
]

POSTGRESQL_BACKWARDS = [
    *(
        f"DROP TRIGGER IF EXISTS conditions_search_version_{table} ON conditions_{table}"
        for table in ("page", "section", "synonym")
    ),
    "DROP FUNCTION IF EXISTS conditions_search_version_move()",
    "DROP TRIGGER IF EXISTS conditions_search_section_insert ON conditions_section",
    "DROP TRIGGER IF EXISTS conditions_search_section_update ON conditions_section",
    "DROP TRIGGER IF EXISTS conditions_search_section_delete ON conditions_section",
    "DROP TRIGGER IF EXISTS conditions_search_page_insert ON conditions_page",
    "DROP TRIGGER IF EXISTS conditions_search_page_update ON conditions_page",
    "DROP TRIGGER IF EXISTS conditions_search_page_delete ON conditions_page",
    "DROP FUNCTION IF EXISTS conditions_search_page_deleted()",
    "DROP FUNCTION IF EXISTS conditions_search_page_changed()",
    "DROP FUNCTION IF EXISTS conditions_search_section_changed()",
    "DROP FUNCTION IF EXISTS conditions_search_refresh(bigint[])",
]


def sqlite_refresh(condition: str) -> str:
    return f"""
        INSERT OR REPLACE INTO conditions_searchdocument (page_id, document, text)
        SELECT p.id, NULL, lower(p.title || ' ' || p.summary || ' ' || coalesce(
            (SELECT group_concat(s.heading || ' ' || s.body, ' ') FROM conditions_section s WHERE s.page_id = p.id), ''
        ))
        FROM conditions_page p WHERE {condition};
    """  # noqa: S608 - constant SQL, conditions written in this file


SQLITE_FORWARDS = [
    f"""CREATE TRIGGER IF NOT EXISTS conditions_search_section_insert AFTER INSERT ON conditions_section
        BEGIN {sqlite_refresh("p.id = NEW.page_id")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS conditions_search_section_update AFTER UPDATE ON conditions_section
        BEGIN {sqlite_refresh("p.id = OLD.page_id")} {sqlite_refresh("p.id = NEW.page_id")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS conditions_search_section_delete AFTER DELETE ON conditions_section
        BEGIN {sqlite_refresh("p.id = OLD.page_id")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS conditions_search_page_insert AFTER INSERT ON conditions_page
        BEGIN {sqlite_refresh("p.id = NEW.id")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS conditions_search_page_update AFTER UPDATE OF title, summary ON conditions_page
        BEGIN {sqlite_refresh("p.id = NEW.id")} END""",
    """CREATE TRIGGER IF NOT EXISTS conditions_search_page_delete BEFORE DELETE ON conditions_page
        BEGIN DELETE FROM conditions_searchdocument WHERE page_id = OLD.id; END""",
    sqlite_refresh("1"),  # every page there already is
    "INSERT OR IGNORE INTO conditions_searchversion (id, version) VALUES (1, 0)",
    *(
        f"""CREATE TRIGGER IF NOT EXISTS conditions_search_version_{table}_{event} AFTER {event.upper()} ON conditions_{table}
            BEGIN UPDATE conditions_searchversion SET version = version + 1 WHERE id = 1; END"""  # noqa: S608 - constant SQL
        for table in ("page", "section", "synonym")
        for event in ("insert", "update", "delete")
    ),
]

SQLITE_BACKWARDS = [
    f"DROP TRIGGER IF EXISTS conditions_search_{name}_{event}"
    for name in ("section", "page", "version_page", "version_section", "version_synonym")
    for event in ("insert", "update", "delete")
]


# Every statement can run again safely (tests/browser re-runs data migrations after a flush,
# which also empties conditions_searchversion).
def run_all(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotSupportedError("Search documents need triggers written for PostgreSQL or SQLite.")
        for statement in statements:
            schema_editor.execute(statement)

    return run


class AddIndexOnPostgreSQL(migrations.AddIndex):
    """A PostgreSQL index (GIN, pg_trgm) that SQLite cannot build; the model state is the same on both."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("conditions", "0005_content_version"),
    ]

    operations = [
        TrigramExtension(),
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "page",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="conditions.page",
                    ),
                ),
                ("document", django.contrib.postgres.search.SearchVectorField(null=True)),
                ("text", models.TextField(blank=True, default="")),
            ],
            options={
                "verbose_name": "search document",
                "verbose_name_plural": "search documents",
            },
        ),
        migrations.CreateModel(
            name="SearchVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "search version"},
        ),
        migrations.AddConstraint(
            model_name="searchversion",
            constraint=models.CheckConstraint(condition=models.Q(("id", 1)), name="conditions_searchversion_one_row"),
        ),
        migrations.CreateModel(
            name="Synonym",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "term",
                    models.CharField(
                        help_text="A word or short phrase people type, for example “shaking”.",
                        max_length=100,
                        verbose_name="what readers search for",
                    ),
                ),
                (
                    "means",
                    models.CharField(
                        help_text="The word or phrase our pages use for it, for example “tremor”. Use only what a page itself says.",
                        max_length=100,
                        verbose_name="what our pages call it",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="last changed")),
            ],
            options={
                "verbose_name": "search synonym",
                "verbose_name_plural": "search synonyms",
                "ordering": ["term"],
            },
        ),
        AddIndexOnPostgreSQL(
            model_name="page",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["title"], name="conditions_page_title_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        AddIndexOnPostgreSQL(
            model_name="section",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["heading"], name="conditions_heading_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        AddIndexOnPostgreSQL(
            model_name="searchdocument",
            index=django.contrib.postgres.indexes.GinIndex(fields=["document"], name="conditions_search_gin"),
        ),
        migrations.AddConstraint(
            model_name="synonym",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("term"), name="conditions_synonym_unique_term"
            ),
        ),
        migrations.AddConstraint(
            model_name="synonym",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("term", ""), _negated=True), models.Q(("means", ""), _negated=True)),
                name="conditions_synonym_term_and_meaning",
            ),
        ),
        migrations.RunPython(
            run_all({"postgresql": POSTGRESQL_FORWARDS, "sqlite": SQLITE_FORWARDS}),
            run_all({"postgresql": POSTGRESQL_BACKWARDS, "sqlite": SQLITE_BACKWARDS}),
        ),
    ]
