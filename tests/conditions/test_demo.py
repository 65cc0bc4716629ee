import datetime
import io

import pytest
from django.core.management import call_command

from conditions.models import ClinicalReview, GuideRevision, Page, RelatedLink, Section

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(Page.objects.order_by("pk").values()),
        list(Section.objects.order_by("pk").values()),
        list(RelatedLink.objects.order_by("pk").values()),
        Page.history.count(),
        Section.history.count(),
    )


def test_load_demo_loads_the_seed_page():
    call_command("load_demo", stdout=io.StringIO())
    guide = Page.objects.get(parent=None, slug="dystonia")
    assert guide.status == Page.Status.PUBLISHED
    assert guide.last_reviewed.isoformat() == "2013-06-19"
    assert guide.next_review_due.isoformat() == "2015-06-19"
    assert guide.source_note == "Content adapted from NHS Choices, 2013"
    assert [s.slug for s in guide.subpages.order_by("order")] == ["symptoms", "causes", "diagnosis", "treatment"]
    assert guide.sections.count() == 7
    assert guide.sections.get(anchor="types").body_html.count("<li>") == 5
    assert guide.sections.get(anchor="treatment").body_html.count("<li>") == 4
    assert list(guide.related_links.values_list("title", flat=True)) == [
        "Help at home for people with a long-term health condition",
        "Healthy living with a long-term health condition",
    ]


def test_load_demo_twice_changes_nothing():
    call_command("load_demo", stdout=io.StringIO())
    first = snapshot()
    output = io.StringIO()
    call_command("load_demo", stdout=output)
    assert snapshot() == first
    assert "Demo content loaded." in output.getvalue()


def test_load_demo_repairs_edited_demo_text():
    call_command("load_demo", stdout=io.StringIO())
    section = Section.objects.get(page__slug="dystonia", anchor="outlook")
    original = section.body
    section.body = "Changed"
    section.save()
    call_command("load_demo", stdout=io.StringIO())
    section.refresh_from_db()
    assert section.body == original


def test_load_demo_records_the_seed_review_date_as_a_legacy_review_once():
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    guide = Page.objects.get(parent=None, slug="dystonia")
    review = ClinicalReview.objects.get()
    assert (review.guide, review.legacy, review.reviewed_on.isoformat()) == (guide, True, "2013-06-19")
    assert list(guide.revisions.values_list("number", "state")) == [(1, GuideRevision.State.PUBLISHED)]


def test_load_demo_leaves_a_later_sign_off_date_alone(editor, reviewer):
    from conditions import services

    call_command("load_demo", stdout=io.StringIO())
    guide = Page.objects.get(parent=None, slug="dystonia")
    revision = services.revision_start(guide=guide, user=editor)
    services.revision_submit(revision=revision, user=editor, change_summary="Routine review: no changes.")
    services.revision_approve(
        revision=revision, reviewer=reviewer, role="GP", sources_checked="NICE", today=datetime.date(2026, 11, 25)
    )
    call_command("load_demo", stdout=io.StringIO())
    guide.refresh_from_db()
    assert guide.last_reviewed == datetime.date(2026, 11, 25)


def test_demo_synonyms_are_only_pairs_the_seed_page_states():
    import json
    import re
    from pathlib import Path

    from conditions.demo import DEMO_FILE
    from conditions.models import Synonym

    call_command("load_demo", stdout=io.StringIO())
    seed = Path("/work/shared/seed/dystonia-nhs-choices.txt")
    content = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    bodies = " ".join(section.body for section in Section.objects.all())
    assert {(s.term, s.means) for s in Synonym.objects.all()} == {(p["term"], p["means"]) for p in content["synonyms"]}
    for pair in content["synonyms"]:
        # The page itself says it: the quoted words are in the demo page, naming both the term and its meaning.
        assert pair["stated_in"] in bodies
        stated = pair["stated_in"].lower()
        assert re.search(rf"\b{re.escape(pair['term'])}", stated) and pair["means"].lower() in stated
        if seed.exists():
            assert " ".join(pair["stated_in"].split()) in " ".join(seed.read_text(encoding="utf-8").split())
