"""A version counter per guide, moved by database triggers on every page, section and link write."""

import django.db.models.deletion
from django.db import migrations, models

from conditions.version_triggers import Counter, drop_row_trigger_sql, row_trigger_sql, run

COUNTER = Counter(table="conditions_contentversion", key="guide_id")
GUIDE_OF_PAGE = "SELECT COALESCE(p.parent_id, p.id) FROM conditions_page p WHERE p.id = ROW.page_id"
TRIGGERS = [
    # A page's own row: an insert, an edit, a publish or unpublish, a move (the old guide
    # and the new one) or a delete of a sub-page moves its guide's version.
    ("conditions_page_version", "conditions_page", "COALESCE(ROW.parent_id, ROW.id)"),
    ("conditions_section_version", "conditions_section", GUIDE_OF_PAGE),
    ("conditions_relatedlink_version", "conditions_relatedlink", GUIDE_OF_PAGE),
]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, table, page_id in TRIGGERS:
        run(schema_editor, row_trigger_sql(vendor, name=name, table=table, counter=COUNTER, page_id=page_id))
    # Every guide starts with a counter, so a delete (which only bumps an existing row) is counted.
    run(
        schema_editor,
        [
            "INSERT INTO conditions_contentversion (guide_id, version) SELECT id, 1 FROM conditions_page "
            "WHERE parent_id IS NULL ON CONFLICT DO NOTHING"
        ],
    )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, table, _ in TRIGGERS:
        run(schema_editor, drop_row_trigger_sql(vendor, name=name, table=table))


class Migration(migrations.Migration):
    dependencies = [
        ("conditions", "0004_clinical_reviewers_and_legacy_reviews"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveBigIntegerField(default=1, verbose_name="version")),
                (
                    "guide",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="content_version",
                        to="conditions.page",
                        verbose_name="condition page",
                    ),
                ),
            ],
            options={
                "verbose_name": "content version",
                "verbose_name_plural": "content versions",
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
