"""conditions/search.py: stored documents, typos, synonyms, excerpts, drafts, pagination, query counts.

Every test runs on both databases (CI runs the suite on SQLite and on PostgreSQL) unless
marked postgresql.
"""

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse

from conditions.models import Page, SearchDocument, Section, Synonym
from conditions.search import PER_PAGE, RESULTS_SQL, pages_search, results_sql_params

from .test_views import text_of

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")


def urls(terms, **kwargs):
    return [result.url for result in pages_search(terms=terms, **kwargs).results]


def document_of(page):
    row = SearchDocument.objects.get(page=page)
    return str(row.document) if connection.vendor == "postgresql" else row.text


# --- Typos ------------------------------------------------------------------------------------


def test_typo_finds_nothing_but_offers_the_correction_as_a_link(reader, demo):
    response = reader.get("/search/", {"q": "dystonnia"})
    html = response.content.decode()
    assert "0 results for “dystonnia”" in text_of(response)
    assert 'Did you mean <a href="/search/?q=dystonia">dystonia</a>?' in html

    corrected = reader.get("/search/?q=dystonia")
    assert "/conditions/dystonia/" in [result.url for result in corrected.context["found"].results]
    assert "Did you mean" not in text_of(corrected)


def test_correction_keeps_the_words_that_were_right(reader, demo):
    found = pages_search(terms="treating dystonnia")
    assert found.total == 0
    assert found.suggestion == "treating dystonia"
    assert "/conditions/dystonia/treatment/" in urls(found.suggestion)


def test_no_suggestion_for_words_like_nothing_on_the_site(demo):
    assert pages_search(terms="zebra").suggestion is None


def test_suggestions_never_come_from_drafts(make_page):
    make_page("Myoclonus", status=Page.Status.DRAFT)
    make_page("Dystonia")
    found = pages_search(terms="myoclonis")
    assert found.total == 0 and found.suggestion is None


# --- Synonyms ---------------------------------------------------------------------------------


def test_each_demo_synonym_finds_the_page_that_states_it(demo):
    synonyms = list(Synonym.objects.all())
    assert len(synonyms) >= 3
    for synonym in synonyms:
        found = urls(synonym.term)
        stating = {
            section.page.get_absolute_url()
            for section in Section.objects.select_related("page__parent")
            if synonym.means.lower() in section.body.lower() and synonym.term.lower() in section.body.lower()
        }
        assert stating, synonym
        assert stating & set(found), (synonym, found)


def test_synonym_finds_a_page_that_only_uses_the_clinical_word(make_page):
    page = make_page("Eye conditions", sections=0)
    Section.objects.create(page=page, heading="Twitching", anchor="twitching", body="Blepharospasm is a focal kind.")
    assert urls("eyelid") == []
    Synonym.objects.create(term="eyelid", means="blepharospasm")
    assert urls("eyelid") == [page.get_absolute_url()]
    # The other words typed still have to match.
    assert urls("eyelid twitching") == [page.get_absolute_url()]
    assert urls("eyelid zebra") == []


def test_phrase_synonym_finds_the_phrase(make_page):
    page = make_page("Head and neck", sections=0)
    Section.objects.create(page=page, heading="Types", anchor="types", body="Cervical dystonia is common.")
    Synonym.objects.create(term="wry", means="cervical dystonia")
    assert urls("wry") == [page.get_absolute_url()]


def test_synonym_term_is_unique_whatever_the_case():
    from django.db import IntegrityError, transaction

    Synonym.objects.create(term="shaking", means="tremor")
    with pytest.raises(IntegrityError), transaction.atomic():
        Synonym.objects.create(term="Shaking", means="tremor")


def test_synonym_cannot_mean_itself():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="different word"):
        Synonym(term="Tremor", means="tremor").full_clean()


# --- Drafts -----------------------------------------------------------------------------------


def test_results_never_include_drafts_or_pages_of_draft_guides(make_page):
    live = make_page("Ataxia", sections=0)
    Section.objects.create(page=live, heading="About", anchor="about", body="Botulinum helps some.")
    draft = make_page("Draft guide", status=Page.Status.DRAFT, sections=0)
    Section.objects.create(page=draft, heading="About", anchor="about", body="Botulinum helps some.")
    under_draft = make_page("Live child", parent=draft, sections=0)
    Section.objects.create(page=under_draft, heading="About", anchor="about", body="Botulinum helps some.")
    draft_child = make_page("Draft child", parent=live, status=Page.Status.DRAFT, sections=0)
    Section.objects.create(page=draft_child, heading="About", anchor="about", body="Botulinum helps some.")

    found = pages_search(terms="botulinum")
    assert [result.url for result in found.results] == [live.get_absolute_url()]
    assert found.total == 1


# --- Results: section, excerpt, escaping ------------------------------------------------------


def test_result_links_to_the_matching_section_with_a_highlighted_excerpt(reader, demo):
    response = reader.get("/search/", {"q": "botulinum"})
    html = response.content.decode()
    assert '<a href="/conditions/dystonia/#treatment">Treating dystonia</a>' in html
    excerpt = re.search(r'<p class="[^"]*app-search-excerpt">(.*?)</p>', html, re.S).group(1)
    assert "<mark>botulinum</mark>" in excerpt.lower()
    assert len(excerpt.split()) < 60


def test_excerpt_shows_stored_markup_as_text(reader, make_page):
    page = make_page("Spasm page", sections=0)
    Section.objects.create(
        page=page,
        heading="<b>Bold</b> heading",
        anchor="bad",
        body="Spasms <script>alert('stored')</script> and <img src=x onerror=alert(1)> here.",
    )
    html = reader.get("/search/", {"q": "spasms"}).content.decode()
    assert "<script>alert('stored')</script>" not in html
    assert "<img src=x" not in html and "<b>Bold</b>" not in html
    assert "&lt;script&gt;alert(&#x27;stored&#x27;)&lt;/script&gt;" in html
    assert "&lt;b&gt;Bold&lt;/b&gt; heading" in html


def test_stored_text_cannot_forge_highlight_markers(reader, make_page):
    page = make_page("Marker page", sections=0)
    Section.objects.create(page=page, heading="Odd", anchor="odd", body="Tremor \ue000<i>forged</i>\ue001 text.")
    html = reader.get("/search/", {"q": "tremor"}).content.decode()
    assert "<i>forged</i>" not in html
    assert "&lt;i&gt;forged&lt;/i&gt;" in html


def test_excerpt_drops_markdown_link_addresses(make_page):
    page = make_page("Linked", sections=0)
    Section.objects.create(
        page=page, heading="Help", anchor="help", body="See [the tremor guide](https://example.org/x) for more."
    )
    excerpt = str(pages_search(terms="tremor").results[0].excerpt)
    assert "<mark>tremor</mark> guide for more" in excerpt.lower()
    assert "example.org" not in excerpt and "](" not in excerpt


# --- Pagination -------------------------------------------------------------------------------


def test_results_paginate_and_say_how_many_matched(reader, make_page):
    for number in range(1, PER_PAGE + 3):
        make_page(f"Tremor {number:02d}")
    first = reader.get("/search/", {"q": "tremor"})
    text = text_of(first)
    assert f"{PER_PAGE + 2} results for “tremor”" in text
    assert f"Showing 1 to {PER_PAGE} of {PER_PAGE + 2}" in text
    assert len(first.context["found"].results) == PER_PAGE
    assert 'href="?q=tremor&amp;page=2"' in first.content.decode()

    second = reader.get("/search/", {"q": "tremor", "page": "2"})
    assert len(second.context["found"].results) == 2
    assert f"Showing {PER_PAGE + 1} to {PER_PAGE + 2} of {PER_PAGE + 2}" in text_of(second)
    assert not {r.url for r in first.context["found"].results} & {r.url for r in second.context["found"].results}


@pytest.mark.parametrize("page", ["3", "0", "-1", "abc", "99999", "1.5"])
def test_a_page_of_results_that_does_not_exist_is_a_404(reader, make_page, page):
    for number in range(1, PER_PAGE + 3):
        make_page(f"Tremor {number:02d}")
    assert reader.get("/search/", {"q": "tremor", "page": page}).status_code == 404


# --- Query counts -----------------------------------------------------------------------------


def test_results_are_one_query_whatever_their_number(reader, make_page, django_assert_num_queries):
    for title in ["Tremor one", "Tremor two", "Tremor three", "Tremor four"]:
        page = make_page(title, sections=3)
        Section.objects.filter(page=page).update(body="Tremor in every section.")
    Synonym.objects.create(term="shaking", means="tremor")
    # 1 the ranked page of results (synonyms folded in) with their count, guides,
    # best sections and excerpts.
    with django_assert_num_queries(1):
        response = reader.get("/search/", {"q": "shaking"})
    assert response.context["found"].total == 4
    assert all(result.excerpt for result in response.context["found"].results)


def test_a_search_with_no_results_adds_one_query_for_the_suggestion(reader, make_page, django_assert_num_queries):
    for title in ["Dystonia", "Dystonia causes", "Dystonia treatment"]:
        make_page(title, sections=3)
    # 1 the results (none), 2 the words spelt like those typed.
    with django_assert_num_queries(2):
        response = reader.get("/search/", {"q": "dystonnia"})
    assert response.context["found"].suggestion == "dystonia"


# --- The stored document follows every change -------------------------------------------------


def test_document_follows_section_save_and_delete(make_page):
    page = make_page("Ataxia", sections=0)
    assert urls("botulinum") == []
    section = Section.objects.create(page=page, heading="Help", anchor="help", body="Botulinum may help.")
    assert urls("botulinum") == [page.get_absolute_url()]
    section.body = "Physiotherapy may help."
    section.save()
    assert urls("botulinum") == [] and urls("physiotherapy") == [page.get_absolute_url()]
    section.delete()
    assert urls("physiotherapy") == []


def test_document_follows_page_title_and_summary(make_page):
    page = make_page("Ataxia")
    page.title = "Chorea"
    page.summary = "About involuntary movements."
    page.save()
    assert urls("ataxia") == []
    assert urls("chorea") == [page.get_absolute_url()]
    assert urls("involuntary") == [page.get_absolute_url()]


def test_document_follows_a_section_moved_to_another_page(make_page):
    first, second = make_page("Ataxia", sections=0), make_page("Chorea", sections=0)
    section = Section.objects.create(page=first, heading="Help", anchor="help", body="Botulinum may help.")
    section.page = second
    section.save()
    assert urls("botulinum") == [second.get_absolute_url()]


def test_results_follow_a_page_moved_to_another_guide(make_page):
    old_guide, new_guide = make_page("Ataxia"), make_page("Chorea")
    page = make_page("Botulinum treatment", parent=old_guide, slug="treatment")
    page.parent = new_guide
    page.save()
    assert urls("botulinum") == ["/conditions/chorea/treatment/"]


def test_document_follows_bulk_writes_that_skip_save(make_page):
    page = make_page("Ataxia", sections=0)
    Section.objects.bulk_create([Section(page=page, heading="Bulk", anchor="bulk", body="Baclofen", body_html="")])
    assert urls("baclofen") == [page.get_absolute_url()]
    Section.objects.filter(page=page).update(body="Clonazepam")
    assert urls("baclofen") == [] and urls("clonazepam") == [page.get_absolute_url()]
    Page.objects.filter(pk=page.pk).update(title="Chorea")
    assert urls("chorea") == [page.get_absolute_url()]
    Section.objects.filter(page=page).delete()
    assert urls("clonazepam") == []


def test_deleting_a_page_removes_its_document_and_its_sections_words(make_page):
    page = make_page("Ataxia", sections=2)
    pk = page.pk
    assert SearchDocument.objects.filter(page_id=pk).exists()
    page.delete()
    assert not SearchDocument.objects.filter(page_id=pk).exists()
    assert urls("ataxia") == []


def test_document_weights_title_summary_headings_and_text(make_page):
    page = make_page("Ataxia", summary="Balance problems.", sections=0)
    Section.objects.create(page=page, heading="Causes", anchor="causes", body="Genetic factors.")
    document = document_of(page)
    if connection.vendor == "postgresql":
        assert "'ataxia':1A" in document
        assert "'balanc':2B" in document and "'caus':4B" in document and "'genet':5C" in document
    else:
        assert document == "ataxia balance problems. causes genetic factors."


def test_search_ranks_title_matches_above_text_matches(make_page):
    text_only = make_page("Alpha", sections=0)
    Section.objects.create(page=text_only, heading="More", anchor="more", body="Tremor can happen.")
    titled = make_page("Tremor")
    found = pages_search(terms="tremor").results
    assert [result.url for result in found] == [titled.get_absolute_url(), text_only.get_absolute_url()]
    assert found[1].section_url == text_only.get_absolute_url() + "#more"


def test_search_needs_every_word(make_page):
    make_page("Dystonia")
    assert urls("dystonia nothingmatches") == []


# --- PostgreSQL only: stemming and the index --------------------------------------------------


@on_postgresql
@pytest.mark.postgresql
def test_stemming_finds_other_forms_of_a_word(make_page):
    page = make_page("Ataxia", sections=0)
    Section.objects.create(page=page, heading="Tests", anchor="tests", body="Diagnosing it takes time.")
    assert urls("diagnosed") == [page.get_absolute_url()]


@on_postgresql
@pytest.mark.postgresql
def test_results_query_uses_the_gin_index(make_page):
    dates = {"last_reviewed": datetime.date(2025, 1, 1), "next_review_due": datetime.date(2027, 1, 1)}
    Page.objects.bulk_create(
        Page(
            title=f"Filler {number}", slug=f"filler-{number}", summary="Filler.", status=Page.Status.PUBLISHED, **dates
        )
        for number in range(2000)
    )
    make_page("Tremor")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE conditions_page")
        cursor.execute("ANALYZE conditions_searchdocument")
        # These filler documents are tiny, so reading them all is rightly cheaper; plain scans
        # are switched off to show the GIN index serves the match. With bench_data's 10,000
        # pages of sections the planner picks it with no settings changed (see the README).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + RESULTS_SQL, results_sql_params("tremor", 0))
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on conditions_search_gin" in plan, plan


def test_search_view_still_keeps_the_query_in_the_box(reader, demo):
    response = reader.get(reverse("conditions:search"), {"q": "dystonnia"})
    assert 'value="dystonnia"' in response.content.decode()


def test_search_version_moves_with_every_write_to_pages_sections_and_synonyms(make_page):
    from conditions.models import SearchVersion

    def version():
        return SearchVersion.objects.get().version

    start = version()
    page = make_page("Ataxia", sections=0)
    after_page = version()
    assert after_page > start
    section = Section.objects.create(page=page, heading="Help", anchor="help", body="Text.")
    assert version() > after_page
    for change in [
        lambda: Page.objects.filter(pk=page.pk).update(status=Page.Status.DRAFT),
        lambda: Section.objects.filter(pk=section.pk).update(order=5),
        lambda: Synonym.objects.create(term="shaking", means="tremor"),
        lambda: Synonym.objects.all().delete(),
        lambda: section.delete(),
        lambda: page.delete(),
    ]:
        before = version()
        change()
        assert version() > before
