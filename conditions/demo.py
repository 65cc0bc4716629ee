"""Demo content: the Dystonia guide, converted from the NHS Choices page in the seed.

`python manage.py load_demo` calls `load()` here and then the `demo.load()` of every
other installed app that has one (comments adds the seed's comments and demo users).
Loading is idempotent: a row is written only when the file says something different,
so a second run changes nothing, not even the edit history.
"""

import datetime
import json
from pathlib import Path

from django.db import transaction

from . import services
from .models import Page, RelatedLink, Section, Synonym

DEMO_FILE = Path(__file__).resolve().parent / "demo_content" / "dystonia.json"


def sync(model, lookup: dict, values: dict, on_create: dict | None = None):
    """Get or create the row matching `lookup`; save it only when `values` differ.

    `on_create` is written only into a new row: the review dates, which after that come
    only from clinical sign-offs (conditions/services.py).
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values, **(on_create or {}))
        obj.save()
        return obj, True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
    return obj, bool(changed)


def _load_sections(page, sections, subpages_by_slug):
    for order, data in enumerate(sections, start=1):
        sync(
            Section,
            {"page": page, "anchor": data["anchor"]},
            {
                "order": order,
                "heading": data["heading"],
                "body": data["body"],
                "read_more": subpages_by_slug.get(data.get("read_more")),
                "read_more_label": data.get("read_more_label", ""),
            },
        )
    page.sections.exclude(anchor__in=[data["anchor"] for data in sections]).delete()


@transaction.atomic
def load(*, stdout) -> None:
    content = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    for data in content["conditions"]:
        dates = {
            "last_reviewed": datetime.date.fromisoformat(data["last_reviewed"]),
            "next_review_due": datetime.date.fromisoformat(data["next_review_due"]),
        }
        guide, _ = sync(
            Page,
            {"parent": None, "slug": data["slug"]},
            {
                "title": data["title"],
                "summary": data["summary"],
                "status": Page.Status.PUBLISHED,
                "services_url": data["services_url"],
                "source_note": content["source_note"],
            },
            dates,
        )
        subpages = {}
        for order, sub in enumerate(data["subpages"], start=1):
            subpage, _ = sync(
                Page,
                {"parent": guide, "slug": sub["slug"]},
                {
                    "title": sub["title"],
                    "short_title": sub["short_title"],
                    "summary": sub["summary"],
                    "order": order,
                    "status": Page.Status.PUBLISHED,
                    "source_note": content["source_note"],
                },
                dates,
            )
            subpages[sub["slug"]] = subpage
            _load_sections(subpage, sub["sections"], {})
        _load_sections(guide, data["sections"], subpages)
        for order, link in enumerate(data["related_links"], start=1):
            sync(
                RelatedLink,
                {"page": guide, "url": link["url"]},
                {"title": link["title"], "description": link["description"], "order": order},
            )
        services.guide_record_legacy_review(guide=guide)
        stdout.write(f"Condition page: {guide.title} with {len(subpages)} sub-pages")
    # Only pairs the seed page states itself ("stated_in" quotes it); editors add their own in the admin.
    for pair in content["synonyms"]:
        sync(Synonym, {"term": pair["term"]}, {"means": pair["means"]})
    stdout.write(f"Search synonyms: {len(content['synonyms'])} from the seed page")
