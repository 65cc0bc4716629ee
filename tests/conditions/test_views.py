import json
import re

import pytest
from django.db import connection
from django.urls import reverse

from conditions.models import Page, Section
from tests.seed import SEED_HEADINGS

pytestmark = pytest.mark.django_db


def text_of(response):
    """The response's visible text with tags removed and white space folded."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_home_lists_published_conditions_only(reader, demo, make_page):
    make_page("Secret draft", status=Page.Status.DRAFT)
    response = reader.get("/")
    text = text_of(response)
    assert "Conditions we cover" in text
    assert "Dystonia" in text and demo.summary in text
    assert "Secret draft" not in text


def test_a_to_z_groups_conditions_by_first_letter(reader, make_page):
    for title in ["Dystonia", "Dyspraxia", "Ataxia"]:
        make_page(title)
    make_page("Draft disease", status=Page.Status.DRAFT)
    response = reader.get(reverse("conditions:a_to_z"))
    groups = [(letter, [page.title for page in pages]) for letter, pages in response.context["groups"]]
    assert groups == [("A", ["Ataxia"]), ("D", ["Dyspraxia", "Dystonia"])]
    html = response.content.decode()
    assert '<a href="#A">A</a>' in html and '<a href="#D">D</a>' in html
    assert 'app-a-to-z__empty">B' in html  # a letter with no conditions is not a link
    assert "Draft disease" not in html


def test_condition_page_shows_every_seed_section_and_footer(reader, demo):
    response = reader.get("/conditions/dystonia/")
    text = text_of(response)
    for shown in [
        *SEED_HEADINGS,
        "Dystonia is a medical term that describes a range of movement disorders",
        "Focal dystonia - where a single region, such as the hand or eyes, is affected.",
        "botulinum toxin - widely used to treat neurological conditions",
        "Page last reviewed: 19/06/2013",
        "Next review due: 19/06/2015",
        "Find and choose services for Dystonia",
        "Help at home for people with a long-term health condition",
        "Healthy living with a long-term health condition",
        "Content adapted from NHS Choices, 2013",
    ]:
        assert shown in text


def test_condition_page_links_to_its_subpages(reader, demo):
    html = reader.get("/conditions/dystonia/").content.decode()
    assert '<a href="/conditions/dystonia/symptoms/">Read more about the symptoms of dystonia</a>' in html
    assert '<a href="/conditions/dystonia/treatment/">Read more about how dystonia is treated</a>' in html
    # The contents list names each page of the guide and marks the current one.
    assert 'aria-current="page"' in html
    for name in ["Symptoms", "Causes", "Diagnosis", "Treatment"]:
        assert f'class="nhsuk-contents-list__link" href="/conditions/dystonia/{name.lower()}/">{name}</a>' in html


def test_subpage_has_breadcrumb_and_previous_next_pagination(reader, demo):
    response = reader.get("/conditions/dystonia/causes/")
    text = text_of(response)
    assert "Causes of dystonia" in text
    assert "Exactly how dystonia develops remains uncertain" in text
    assert response.context["breadcrumbs"][-1] == ("Dystonia", "/conditions/dystonia/")
    assert response.context["previous"] == {"href": "/conditions/dystonia/symptoms/", "label": "Symptoms"}
    assert response.context["next"] == {"href": "/conditions/dystonia/diagnosis/", "label": "Diagnosis"}
    # NHS.UK 10.6.1 pagination reads "Previous page: Symptoms" to screen readers.
    assert "Previous page : Symptoms" in text and "Next page : Diagnosis" in text


def test_page_carries_medical_web_page_json_ld(reader, demo):
    html = reader.get("/conditions/dystonia/").content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "MedicalWebPage"
    assert data["about"] == {"@type": "MedicalCondition", "name": "Dystonia"}
    assert data["lastReviewed"] == "2013-06-19"
    assert [item["name"] for item in data["breadcrumb"]["itemListElement"]] == ["Home", "Health A to Z", "Dystonia"]
    assert [part["name"] for part in data["hasPart"]] == SEED_HEADINGS


def test_json_ld_cannot_break_out_of_its_script_element(reader, make_page):
    make_page("Evil", summary="</script><script>alert(1)</script>")
    html = reader.get("/conditions/evil/").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and "\\u003C/script\\u003E" in block


def test_unknown_slug_is_a_404(reader, demo):
    assert reader.get("/conditions/no-such-thing/").status_code == 404
    assert reader.get("/conditions/dystonia/no-such-part/").status_code == 404
    # A sub-page is only reachable under its own guide.
    assert reader.get("/conditions/symptoms/").status_code == 404


def test_draft_page_is_hidden_from_the_public_and_previewable_by_editors(reader, editor, make_page):
    draft = make_page("Draft condition", status=Page.Status.DRAFT)
    assert reader.get(draft.get_absolute_url()).status_code == 404
    reader.force_login(editor)
    response = reader.get(draft.get_absolute_url())
    assert "This page is a draft. Only editors can see it." in text_of(response)
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_draft_subpage_is_left_out_of_contents_and_read_more_links(reader, condition):
    causes = condition.subpages.get(slug="causes")
    causes.status = Page.Status.DRAFT
    causes.save()
    Section.objects.create(
        page=condition, order=9, heading="More", anchor="more", body="x", read_more=causes, read_more_label="Causes"
    )
    html = reader.get(condition.get_absolute_url()).content.decode()
    assert "/conditions/dystonia/causes/" not in html
    assert reader.get(causes.get_absolute_url()).status_code == 404


def test_commenter_without_admin_rights_cannot_preview_drafts(client_for, commenter, make_page):
    draft = make_page("Draft condition", status=Page.Status.DRAFT)
    assert client_for(commenter).get(draft.get_absolute_url()).status_code == 404


def test_search_finds_the_treatment_section(reader, demo):
    response = reader.get("/search/", {"q": "botulinum"})
    text = text_of(response)
    assert "2 results for “botulinum”" in text
    assert "Found in: Treating dystonia" in text
    assert '/conditions/dystonia/#treatment"' in response.content.decode()
    assert [result.url for result in response.context["found"].results] == [
        "/conditions/dystonia/",
        "/conditions/dystonia/treatment/",
    ]


def test_search_ranks_title_matches_first(reader, demo):
    response = reader.get("/search/", {"q": "causes"})
    assert response.context["found"].results[0].url == "/conditions/dystonia/causes/"


def test_search_with_no_matches_says_so(reader, demo):
    text = text_of(reader.get("/search/", {"q": "zebra"}))
    assert "0 results for “zebra”" in text
    assert "We could not find any pages that match your search." in text


def test_search_hides_drafts(reader, make_page):
    make_page("Botulism draft", status=Page.Status.DRAFT)
    assert reader.get("/search/", {"q": "botulism"}).context["found"].results == []


def test_empty_search_is_a_normal_page(reader, demo):
    for params in [{}, {"q": ""}, {"q": "   "}]:
        response = reader.get("/search/", params)
        assert response.status_code == 200
        assert "Enter a word or phrase to search the condition pages" in text_of(response)


@pytest.mark.parametrize(
    "query",
    ['"', "'", "%", "_", "%%'; DROP TABLE conditions_page; --", "<script>alert(1)</script>", "a & b | !c", "(", ":*"],
)
def test_hostile_search_is_a_normal_page_and_escaped(reader, demo, query):
    response = reader.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert Page.objects.count() == 5


def test_overlong_search_says_what_is_wrong_and_keeps_the_query(reader, demo):
    response = reader.get("/search/", {"q": "x" * 1000})
    assert response.status_code == 400
    text = text_of(response)
    assert "There is a problem" in text
    assert "Search for 200 characters or fewer" in text
    assert 'value="' + "x" * 1000 + '"' in response.content.decode()


def test_search_with_nul_character_is_a_clear_error(reader, demo):
    response = reader.get("/search/", {"q": "dys\x00tonia"})
    assert response.status_code == 400
    assert "Null characters are not allowed." in text_of(response)


def test_sitemap_lists_published_pages(reader, demo, make_page):
    make_page("Draft condition", status=Page.Status.DRAFT)
    xml = reader.get("/sitemap.xml").content.decode()
    assert "http://testserver/conditions/dystonia/" in xml
    assert "http://testserver/conditions/dystonia/treatment/" in xml
    assert "draft-condition" not in xml


def test_site_map_is_a_page_for_people_listing_live_guides_with_their_sub_pages(
    reader, demo, make_page, django_assert_num_queries
):
    other = make_page("Blepharospasm")
    make_page("Living with blepharospasm", parent=other, slug="living", order=1)
    make_page("Draft condition", status=Page.Status.DRAFT)
    make_page("Draft part", parent=other, slug="draft-part", status=Page.Status.DRAFT)
    hidden = make_page("Hidden guide", status=Page.Status.DRAFT)
    make_page("Part of a hidden guide", parent=hidden, slug="part")
    # 1. every live page with its guide: no session, so nothing else
    with django_assert_num_queries(1):
        response = reader.get(reverse("conditions:site_map"))
    html = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "<title>Site map - Dystonia Portal</title>" in html
    assert html.index('href="/conditions/blepharospasm/"') < html.index('href="/conditions/dystonia/"')
    assert 'href="/conditions/blepharospasm/living/">Living with blepharospasm</a>' in html
    assert 'href="/conditions/dystonia/treatment/">' in html
    for hidden_text in ("Draft condition", "Draft part", "Hidden guide", "Part of a hidden guide"):
        assert hidden_text not in html
    for href in ("/accessibility/", "/cookies/", "/privacy/", "/contact/", "/sitemap.xml"):
        assert f'href="{href}"' in html


def test_site_map_is_cacheable_for_shared_readers_and_private_for_a_session(reader, client_for, commenter, demo):
    assert reader.get(reverse("conditions:site_map"))["Cache-Control"].startswith("public, max-age=")
    assert client_for(commenter).get(reverse("conditions:site_map"))["Cache-Control"] == "private, no-store"


def test_long_pages_end_with_back_to_top(reader, demo):
    for path in (reverse("conditions:site_map"), "/conditions/", "/conditions/dystonia/", "/privacy/"):
        html = reader.get(path).content.decode()
        assert re.search(r'<a class="app-back-to-top__link" href="#top">.*Back to top</a>', html, re.S), path
        assert '<header class="nhsuk-header" data-module="nhsuk-header" role="banner" id="top">' in html


def test_robots_txt_points_at_the_sitemap(reader):
    response = reader.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()


def test_robots_txt_names_the_host_and_scheme_it_was_asked_on(reader, settings):
    """The text is made once per scheme and host; each host still gets its own."""
    settings.ALLOWED_HOSTS = ["testserver", "dystonia.example.org"]
    assert "Sitemap: http://testserver/sitemap.xml" in reader.get("/robots.txt").content.decode()
    other = reader.get("/robots.txt", HTTP_HOST="dystonia.example.org", secure=True).content.decode()
    assert "Sitemap: https://dystonia.example.org/sitemap.xml" in other
    assert "Sitemap: http://testserver/sitemap.xml" in reader.get("/robots.txt").content.decode()


def test_reading_pages_never_writes(reader, demo, django_assert_num_queries):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        for url in ["/", "/conditions/", "/conditions/dystonia/", "/conditions/dystonia/causes/", "/search/?q=neck"]:
            reader.get(url)
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


def test_condition_page_query_count_does_not_grow_with_sections_or_links(reader, condition, django_assert_num_queries):
    for number in range(4, 9):
        Section.objects.create(page=condition, order=number, heading=f"Extra {number}", anchor=f"x{number}", body="x")
    # 1 the page's versions, for the whole page's key (not cached yet), 2 the page joined with its
    # counter rows, rating summary and comment settings, 3 the guide and its sub-pages, 4 sections
    # with read-more pages, 5 related links (the thread's count comes with the page; an anonymous
    # reader with no session has no rating of their own to look up; with no comments there is no
    # page of comments to read).
    with django_assert_num_queries(5):
        reader.get(condition.get_absolute_url())
    # Then the page whole from the cache: 1 its versions, nothing else.
    with django_assert_num_queries(1):
        reader.get(condition.get_absolute_url())
    causes_url = condition.subpages.get(slug="causes").get_absolute_url()
    # The guide and its sub-pages are cached by the first request (tests/perf pins the
    # cold and warm counts with comments and ratings): 1 the versions, 2 the page, 3 sections,
    # 4 related links.
    with django_assert_num_queries(4):
        reader.get(causes_url)


def test_a_to_z_runs_one_query_whatever_the_number_of_conditions(reader, make_page, django_assert_num_queries):
    for title in ["Ataxia", "Bell's palsy", "Chorea", "Dystonia"]:
        make_page(title)
    # 1 the published conditions.
    with django_assert_num_queries(1):
        reader.get("/conditions/")


def test_search_runs_one_query_whatever_the_number_of_results(reader, make_page, django_assert_num_queries):
    for title in ["Dystonia one", "Dystonia two", "Dystonia three"]:
        make_page(title)
    # 1 the ranked page of results with their count, guides, best sections and excerpts.
    with django_assert_num_queries(1):
        response = reader.get("/search/", {"q": "dystonia"})
    assert len(response.context["found"].results) == 3


def test_home_runs_one_query_whatever_the_number_of_conditions(reader, make_page, django_assert_num_queries):
    for title in ["Ataxia", "Chorea", "Dystonia"]:
        make_page(title)
    # 1 the published conditions.
    with django_assert_num_queries(1):
        reader.get("/")


on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="search answers are cached on PostgreSQL")


@on_postgresql
@pytest.mark.postgresql
def test_repeated_search_is_served_whole_after_one_query(reader, make_page, django_assert_num_queries):
    for title in ["Tremor one", "Tremor two", "Tremor three"]:
        make_page(title, sections=2)
    first = reader.get("/search/", {"q": "tremor"})
    # 1 the search version, which is still that of the cached page, so nothing else runs
    # (after a change: 2 the search again, which reads the new version with the results).
    with django_assert_num_queries(1):
        again = reader.get("/search/", {"q": "tremor"})
    assert again.content == first.content
    assert "3 results for “tremor”" in text_of(again)


@on_postgresql
@pytest.mark.postgresql
def test_cached_search_follows_every_kind_of_change(reader, make_page):
    from conditions.models import Synonym

    page = make_page("Ataxia", sections=0)
    section = Section.objects.create(page=page, heading="Help", anchor="help", body="Botulinum may help.")
    assert "1 result for “botulinum”" in text_of(reader.get("/search/", {"q": "botulinum"}))

    section.body = "Physiotherapy may help."
    section.save()
    assert "0 results for “botulinum”" in text_of(reader.get("/search/", {"q": "botulinum"}))
    assert "1 result for “physiotherapy”" in text_of(reader.get("/search/", {"q": "physiotherapy"}))

    Page.objects.filter(pk=page.pk).update(status=Page.Status.DRAFT)  # no words changed, only who may see it
    assert "0 results for “physiotherapy”" in text_of(reader.get("/search/", {"q": "physiotherapy"}))

    Page.objects.filter(pk=page.pk).update(status=Page.Status.PUBLISHED, slug="ataxia-moved")
    html = reader.get("/search/", {"q": "physiotherapy"}).content.decode()
    assert "/conditions/ataxia-moved/" in html

    assert "0 results for “exercises”" in text_of(reader.get("/search/", {"q": "exercises"}))
    Synonym.objects.create(term="exercises", means="physiotherapy")
    assert "1 result for “exercises”" in text_of(reader.get("/search/", {"q": "exercises"}))

    section.delete()
    assert "0 results for “physiotherapy”" in text_of(reader.get("/search/", {"q": "physiotherapy"}))


def test_signed_in_reader_never_gets_a_cached_search_page(client, commenter, make_page):
    make_page("Tremor")
    client.get("/search/", {"q": "tremor"})
    client.force_login(commenter)
    html = client.get("/search/", {"q": "tremor"}).content.decode()
    assert "commenter" in html and "Sign out" in html


def test_search_works_and_caches_nothing_when_the_version_row_is_gone(reader, make_page):
    from conditions.models import SearchVersion

    make_page("Tremor")
    SearchVersion.objects.all().delete()  # as a test flush leaves it
    for _ in range(2):
        response = reader.get("/search/", {"q": "tremor"})
        assert "1 result for “tremor”" in text_of(response)
        assert response.context is not None  # rendered each time, never served from the cache


def test_a_page_shown_again_with_a_refused_form_is_private_and_not_cached(client_for, commenter, condition):
    from django.core.cache import caches
    from django.test import Client

    from comments.forms import form_started_token

    response = client_for(commenter).post(
        reverse("comments:post", args=[condition.slug]),
        {"text": "Typed words", "website": "x", "started": form_started_token()},
    )
    assert response.status_code == 400
    assert "<title>Error: Dystonia" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert not [key for key in caches["fragments"]._cache if ":conditions:page:" in key]
    assert "Typed words" not in Client().get(condition.get_absolute_url()).content.decode()
