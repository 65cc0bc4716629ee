"""Benchmark data for conditions: 50 generated condition guides, and a copy of the Dystonia guide.

`benchmarks.data.build()` calls `build()` here first, then the ratings' and comments'. The
generated pages say they are benchmark filler: they never carry invented health advice. The
copy of the Dystonia guide ("Dystonia (benchmark copy)") gets only a handful of ratings and
comments, so one run can compare the cost of the same page with little data against the real
one with a lot.
"""

import datetime
import io
import time

from django.db import connection, transaction

from conditions.markdown import render_markdown
from conditions.models import Page, RelatedLink, Section

CONDITION_COUNT = 50
SUBPAGES = ["Symptoms", "Causes", "Diagnosis", "Treatment"]
SMALL_COPY_SLUG = "dystonia-benchmark-copy"
FILLER = (
    "This is benchmark filler text. The page exists only to measure how fast the site runs "
    "with many pages, and it gives no health information.\n\n"
    "* Filler item one.\n* Filler item two.\n* Filler item three."
)


def condition_slug(number: int) -> str:
    return f"benchmark-condition-{number:02d}"


def copy_rows(table: str, columns: list[str], rows) -> int:
    """Load `rows` (tuples; None for NULL) into `table` with PostgreSQL COPY. Returns the row count."""
    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write("\t".join(r"\N" if value is None else str(value) for value in row))
        buffer.write("\n")
        count += 1
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
    return count


def _make_guide(*, slug, title, summary, dates, sections, subpages, related_links=()):
    """Create one guide with its sub-pages, sections and links in a few bulk inserts."""
    guide = Page.objects.create(
        slug=slug, title=title, summary=summary, status=Page.Status.PUBLISHED, source_note="Benchmark data", **dates
    )
    children = Page.objects.bulk_create(
        Page(
            parent=guide,
            slug=sub["slug"],
            title=sub["title"],
            short_title=sub["short_title"],
            summary=sub["summary"],
            order=order,
            status=Page.Status.PUBLISHED,
            source_note="Benchmark data",
            **dates,
        )
        for order, sub in enumerate(subpages, start=1)
    )
    by_slug = {child.slug: child for child in children}
    rows = []
    for page, page_sections in [
        (guide, sections),
        *((child, sub["sections"]) for child, sub in zip(children, subpages, strict=True)),
    ]:
        for order, data in enumerate(page_sections, start=1):
            rows.append(
                Section(
                    page=page,
                    order=order,
                    heading=data["heading"],
                    anchor=data["anchor"],
                    body=data["body"],
                    body_html=data.get("body_html") or render_markdown(data["body"]),
                    read_more=by_slug.get(data.get("read_more")),
                    read_more_label=data.get("read_more_label", ""),
                )
            )
    Section.objects.bulk_create(rows)
    RelatedLink.objects.bulk_create(
        RelatedLink(page=guide, order=order, **link) for order, link in enumerate(related_links, start=1)
    )
    return guide


def _generated_guide(number: int, dates: dict) -> dict:
    filler_html = render_markdown(FILLER)
    section = {"body": FILLER, "body_html": filler_html}
    return {
        "slug": condition_slug(number),
        "title": f"Benchmark condition {number:02d}",
        "summary": "Benchmark filler page, used only to measure the site's speed.",
        "dates": dates,
        "sections": [{**section, "heading": "", "anchor": ""}]
        + [
            {
                **section,
                "heading": name,
                "anchor": name.lower(),
                "read_more": name.lower(),
                "read_more_label": f"Read more: {name}",
            }
            for name in SUBPAGES
        ],
        "subpages": [
            {
                "slug": name.lower(),
                "title": f"{name}: benchmark condition {number:02d}",
                "short_title": name,
                "summary": "Benchmark filler page, used only to measure the site's speed.",
                "sections": [{**section, "heading": f"Part {part}", "anchor": f"part-{part}"} for part in (1, 2, 3)],
            }
            for name in SUBPAGES
        ],
    }


def _copy_of(guide: Page) -> dict:
    """The Dystonia guide's own content, under another address."""

    def sections_of(page):
        return [
            {
                "heading": s.heading,
                "anchor": s.anchor,
                "body": s.body,
                "body_html": s.body_html,
                "read_more": s.read_more.slug if s.read_more_id else None,
                "read_more_label": s.read_more_label,
            }
            for s in page.sections.select_related("read_more")
        ]

    return {
        "slug": SMALL_COPY_SLUG,
        "title": "Dystonia (benchmark copy)",
        "summary": guide.summary,
        "dates": {"last_reviewed": guide.last_reviewed, "next_review_due": guide.next_review_due},
        "sections": sections_of(guide),
        "subpages": [
            {
                "slug": sub.slug,
                "title": sub.title,
                "short_title": sub.short_title,
                "summary": sub.summary,
                "sections": sections_of(sub),
            }
            for sub in guide.subpages.order_by("order", "pk")
        ],
        "related_links": [
            {"title": link.title, "description": link.description, "url": link.url}
            for link in guide.related_links.all()
        ],
    }


@transaction.atomic
def build(*, stdout) -> None:
    started = time.monotonic()
    existing = set(Page.objects.filter(parent=None).values_list("slug", flat=True))
    dates = {"last_reviewed": datetime.date(2025, 1, 15), "next_review_due": datetime.date(2028, 1, 15)}
    made = 0
    for number in range(1, CONDITION_COUNT + 1):
        if condition_slug(number) not in existing:
            _make_guide(**_generated_guide(number, dates))
            made += 1
    if SMALL_COPY_SLUG not in existing:
        _make_guide(**_copy_of(Page.objects.get(parent=None, slug="dystonia")))
        made += 1
    pages = Page.objects.count()
    stdout.write(f"Conditions: {made} guides made, {pages} pages in all ({time.monotonic() - started:.1f}s)")


# --- Search at scale (`bench_data --search-pages 10000`) ----------------------------------

SEARCH_GUIDES = 100
SEARCH_GUIDE_SLUG = "benchmark-search-filler-{:03d}"
SEARCH_SECTIONS = 4
SEARCH_WORDS_PER_SECTION = 50
SEARCH_VOCABULARY = 2000
SEARCH_FILLER_NOTE = "Benchmark filler text for measuring search. It gives no health information."


def search_filler_words() -> list[str]:
    """Made-up words ("tobaku", "rimeso"), so filler pages can never read as health advice.

    Drawn uniformly, each word is on about one page in ten, so any of them is a common word.
    """
    import random

    rng = random.Random(12)  # noqa: S311 - reproducible filler, not security
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    words = set()
    while len(words) < SEARCH_VOCABULARY:
        words.add("".join(rng.choice(syllables) for _ in range(3)))
    return sorted(words)


@transaction.atomic
def build_search_filler(*, pages: int, stdout) -> None:
    """`pages` published filler sub-pages under SEARCH_GUIDES filler guides, each with sections."""
    import random

    started = time.monotonic()
    per_guide = -(-pages // SEARCH_GUIDES)
    words = search_filler_words()
    rng = random.Random(34)  # noqa: S311 - reproducible filler, not security
    dates = {"last_reviewed": datetime.date(2025, 1, 15), "next_review_due": datetime.date(2028, 1, 15)}
    filler = {"status": Page.Status.PUBLISHED, "source_note": "Benchmark data", **dates}
    existing = set(
        Page.objects.filter(parent=None, slug__startswith="benchmark-search-filler-").values_list("slug", flat=True)
    )
    made = 0
    for guide_number in range(1, SEARCH_GUIDES + 1):
        slug = SEARCH_GUIDE_SLUG.format(guide_number)
        count = min(per_guide, pages - (guide_number - 1) * per_guide)
        if slug in existing or count <= 0:
            continue
        guide = Page.objects.create(
            slug=slug, title=f"Benchmark search filler {guide_number:03d}", summary=SEARCH_FILLER_NOTE, **filler
        )
        children = Page.objects.bulk_create(
            Page(
                parent=guide,
                slug=f"page-{number:03d}",
                title=f"Filler page {guide_number:03d}-{number:03d}",
                short_title=f"Page {number}",
                summary=SEARCH_FILLER_NOTE,
                order=number,
                **filler,
            )
            for number in range(1, count + 1)
        )
        sections = []
        for child in children:
            for part in range(1, SEARCH_SECTIONS + 1):
                body = SEARCH_FILLER_NOTE + " " + " ".join(rng.choices(words, k=SEARCH_WORDS_PER_SECTION)) + "."
                sections.append(
                    Section(
                        page=child,
                        order=part,
                        heading=f"Filler part {part}",
                        anchor=f"part-{part}",
                        body=body,
                        body_html=f"<p>{body}</p>",  # what render_markdown makes of one plain paragraph
                    )
                )
        Section.objects.bulk_create(sections, batch_size=2000)
        made += len(children)
    stdout.write(
        f"Search filler: {made} pages made, {Page.objects.count()} pages in all ({time.monotonic() - started:.1f}s)"
    )
