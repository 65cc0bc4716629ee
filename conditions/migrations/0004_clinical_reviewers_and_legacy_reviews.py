"""The Clinical reviewers group, the editors' new permissions, and a recorded review per guide.

Reviewers read condition content and approve or send back changes: nothing else, not even
editing. Every guide's current "Page last reviewed" date becomes a legacy ClinicalReview and
its live content becomes published version 1, so nothing readers see changes.
"""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

from dystonia_portal.group_permissions import group_grant

REVIEWERS = "Clinical reviewers"
EDITORS = "Editors"
REVIEWER_CODENAMES = [
    "view_page",
    "view_section",
    "view_relatedlink",
    "view_guiderevision",
    "review_guiderevision",
    "view_clinicalreview",
]
EDITOR_CODENAMES = ["view_guiderevision", "add_guiderevision", "change_guiderevision", "view_clinicalreview"]
PAGE_FIELDS = ["title", "short_title", "slug", "summary", "order", "services_url", "source_note"]
SECTION_FIELDS = ["order", "heading", "anchor", "body", "read_more_label"]
LINK_FIELDS = ["order", "title", "description", "url"]


def create_groups(apps, schema_editor):
    group_grant(apps, group=REVIEWERS, app_label="conditions", codenames=REVIEWER_CODENAMES, exactly=True)
    group_grant(apps, group=EDITORS, app_label="conditions", codenames=EDITOR_CODENAMES)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=REVIEWERS).delete()


def snapshot(Page, guide):
    # A copy of conditions.services.guide_snapshot as it was when this migration was written.
    pages = []
    for page in [guide, *Page.objects.filter(parent=guide).order_by("order", "pk")]:
        data = {"id": page.pk, "parent": page.parent_id, **{name: getattr(page, name) for name in PAGE_FIELDS}}
        data["sections"] = [
            {"id": s.pk, "read_more": s.read_more_id, **{name: getattr(s, name) for name in SECTION_FIELDS}}
            for s in page.sections.order_by("order", "pk")
        ]
        data["links"] = [
            {"id": link.pk, **{name: getattr(link, name) for name in LINK_FIELDS}}
            for link in page.related_links.order_by("order", "pk")
        ]
        pages.append(data)
    return {"pages": pages}


def record_legacy_reviews(apps, schema_editor):
    Page = apps.get_model("conditions", "Page")
    ClinicalReview = apps.get_model("conditions", "ClinicalReview")
    GuideRevision = apps.get_model("conditions", "GuideRevision")
    RevisionEvent = apps.get_model("conditions", "RevisionEvent")
    now = timezone.now()
    for guide in Page.objects.filter(parent__isnull=True).exclude(Q(clinical_reviews__isnull=False)):
        # Keep "Next review due" where it is: the interval is the gap the page already shows.
        last, due = guide.last_reviewed, guide.next_review_due
        months = (due.year - last.year) * 12 + due.month - last.month
        if 1 <= months <= 60 and months != guide.review_interval_months:
            guide.review_interval_months = months
            guide.save(update_fields=["review_interval_months"])
        revision = None
        if guide.status == "published" and not GuideRevision.objects.filter(guide=guide).exists():
            revision = GuideRevision.objects.create(
                guide=guide,
                number=1,
                content=snapshot(Page, guide),
                state="published",
                change_summary="The guide as it was when clinical sign-offs began to be recorded.",
                published_at=now,
            )
            RevisionEvent.objects.create(
                revision=revision, action="published", comment="Recorded from the live guide.", created_at=now
            )
        ClinicalReview.objects.create(
            guide=guide,
            revision=revision,
            reviewed_on=guide.last_reviewed,
            role="Not recorded",
            sources_checked="Not recorded",
            note="Recorded from the review date the page showed before clinical sign-offs were kept.",
            legacy=True,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("conditions", "0003_clinical_review"),
    ]

    operations = [
        migrations.RunPython(create_groups, remove_groups),
        migrations.RunPython(record_legacy_reviews, migrations.RunPython.noop),
    ]
