"""Site search: one query for a page of results, and at most one more for "Did you mean …?".

Pages are matched against their stored search document (`SearchDocument`, kept by database
triggers), so finding the matches is an index lookup whatever the number of pages (ranking
them still costs in proportion to how many match).

PostgreSQL: full-text search with the `english` configuration (stemming), ranked with
`ts_rank` over the weighted document (title A, summary and headings B, section text C).
Synonyms editors manage are folded into the query with `ts_rewrite` inside the same SQL
statement. Only the page of results shown gets its best section and a highlighted excerpt
(`ts_headline`). When nothing matches, a second query finds, with pg_trgm, the words in
live titles and headings spelt most like the words typed. The results statement also reads
the search version (`SearchVersion`, moved by the same triggers) in the same snapshot, so a
page cached with that version is exactly as fresh as the version says.

SQLite (the embedded default): every word or quoted phrase must appear in the document's
text; synonyms apply in the same statement; suggestions come from the live pages' own
words matched with difflib.

Excerpts are escaped: the database marks matches with private-use characters that no
stored text can contain (they are stripped from it first), the whole excerpt is escaped,
and only then do the markers become <mark> elements.
"""

import difflib
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Concat, Lower
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Page, SearchDocument, Section, Synonym

PER_PAGE = 10
START, STOP = "\ue000", "\ue001"
ANGLES = "\ue002\ue003"
HEADLINE_OPTIONS = (
    f'StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15, ShortWord=3, MaxFragments=2, FragmentDelimiter=" … "'
)
SUGGEST_MIN_SIMILARITY = 0.45
WORD = re.compile(r"[^\W\d_]{3,}")
PUBLISHED = Page.Status.PUBLISHED


@dataclass
class Result:
    title: str
    url: str
    summary: str
    section_heading: str
    section_url: str
    excerpt: SafeString | None


@dataclass
class Outcome:
    page_obj: object  # django.core.paginator.Page
    total: int
    results: list[Result]
    suggestion: str | None
    version: int | None = None  # the search version it was made at (PostgreSQL only)

    @property
    def suggestion_query(self) -> str:
        return urlencode({"q": self.suggestion}) if self.suggestion else ""


class _Found:
    """The rows of one page of results, standing in for the whole list so Paginator can count it."""

    def __init__(self, rows, total):
        self.rows, self.total = rows, total

    def count(self):
        return self.total

    def __len__(self):
        return self.total

    def __getitem__(self, _slice):
        return self.rows


def pages_search(*, terms: str, page_number: int = 1) -> Outcome:
    """The live pages matching `terms`, best first, one page of PER_PAGE results.

    On PostgreSQL the outcome carries the search version it was made at (see search_version).
    Raises django.core.paginator.EmptyPage for a page number past the last page.
    """
    offset = (page_number - 1) * PER_PAGE
    version = None
    if connection.vendor == "postgresql":
        version, rows, total = _results_postgresql(terms, offset)
    else:
        rows, total = _results_sqlite(terms, offset)
    page_obj = Paginator(_Found(rows, total), PER_PAGE).page(page_number)
    suggestion = None
    if total == 0:
        suggestion = (_suggest_postgresql if connection.vendor == "postgresql" else _suggest_sqlite)(terms)
    return Outcome(page_obj=page_obj, total=total, results=rows, suggestion=suggestion, version=version)


def search_version() -> int | None:
    """The current search version: anything made at an older one may be out of date.

    None if its row is missing (only after a test flush empties the table): then nothing is cached.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM conditions_searchversion WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


def page_url(*, slug: str, guide_slug: str | None) -> str:
    if guide_slug:
        return reverse("conditions:subpage", args=[guide_slug, slug])
    return reverse("conditions:detail", args=[slug])


def marked_excerpt(text: str | None) -> SafeString | None:
    """Escape everything, then turn the match markers (and only they) into <mark> elements."""
    if not text:
        return None
    text = text.replace(ANGLES[0], "<").replace(ANGLES[1], ">")
    return mark_safe(escape(text).replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308 - escaped first


def plain_text(markdown: str) -> str:
    """Section text as a reader sees it: link text without addresses, no bullet markers, no markers of ours."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"^\s*[*+-]\s+", "", text, flags=re.M)
    return text.replace(START, "").replace(STOP, "")


# --- PostgreSQL ---------------------------------------------------------------------------

# The typed query, then each synonym whose term it contains rewritten to "term OR meaning".
QUERY_CTE = """
WITH RECURSIVE typed AS (
    SELECT websearch_to_tsquery('english', %(terms)s) AS q
), synonyms AS (
    SELECT row_number() OVER (ORDER BY s.id) AS n,
           plainto_tsquery('english', s.term) AS target,
           plainto_tsquery('english', s.term) || phraseto_tsquery('english', s.means) AS substitute
    FROM conditions_synonym s, typed
    WHERE numnode(plainto_tsquery('english', s.term)) > 0
      AND plainto_tsquery('english', s.term) <@ typed.q
), rewrites(n, q) AS (
    SELECT 0::bigint, q FROM typed
    UNION ALL
    SELECT synonyms.n, ts_rewrite(rewrites.q, synonyms.target, synonyms.substitute)
    FROM rewrites JOIN synonyms ON synonyms.n = rewrites.n + 1
), query AS (
    SELECT q FROM rewrites ORDER BY n DESC LIMIT 1
)"""

SECTION_VECTOR = (
    "(setweight(to_tsvector('english', s.heading), 'B') || setweight(to_tsvector('english', s.body), 'C'))"
)

# Plain text of a section body for its excerpt, as plain_text() does in Python. ts_headline
# drops what looks like markup, so "<" and ">" travel as ANGLES (put back before escaping), and
# our match markers are taken out of the stored text so only ts_headline's own remain.
SECTION_TEXT = (
    "translate(regexp_replace(regexp_replace(s.body, '\\[([^]]*)\\]\\([^)]*\\)', '\\1', 'g'), "
    "'^\\s*[*+-]\\s+', '', 'gn'), %(translate_from)s, %(translate_to)s)"
)

RESULTS_SQL = f"""{QUERY_CTE}, ranked AS (
    SELECT p.id, p.title, p.slug, p.summary, p.parent_id, g.slug AS guide_slug,
           ts_rank(d.document, query.q) AS rank, count(*) OVER () AS total
    FROM conditions_searchdocument d
    JOIN conditions_page p ON p.id = d.page_id
    LEFT JOIN conditions_page g ON g.id = p.parent_id
    CROSS JOIN query
    WHERE d.document @@ (SELECT q FROM query)
      AND p.status = %(published)s AND (p.parent_id IS NULL OR g.status = %(published)s)
    ORDER BY rank DESC, p.title, p.id
    LIMIT %(limit)s OFFSET %(offset)s
), found AS (
    SELECT r.id, r.rank, r.title, r.slug, r.guide_slug, r.summary, r.total, best.heading, best.anchor,
           ts_headline('english', best.text, query.q, %(options)s) AS excerpt
    FROM ranked r
    CROSS JOIN query
    LEFT JOIN LATERAL (
        SELECT s.heading, s.anchor, {SECTION_TEXT} AS text
        FROM conditions_section s
        WHERE s.page_id = r.id AND {SECTION_VECTOR} @@ query.q
        ORDER BY ts_rank({SECTION_VECTOR}, query.q) DESC, s."order", s.id
        LIMIT 1
    ) best ON true
)
SELECT v.version, found.title, found.slug, found.guide_slug, found.summary, found.total,
       found.heading, found.anchor, found.excerpt
FROM (SELECT 1) AS one
LEFT JOIN conditions_searchversion v ON v.id = 1
LEFT JOIN found ON true
ORDER BY found.rank DESC, found.title, found.id"""  # noqa: S608 - constant SQL, every value is a parameter


def results_sql_params(terms: str, offset: int) -> dict:
    return {
        "terms": terms,
        "published": PUBLISHED,
        "limit": PER_PAGE,
        "offset": offset,
        "options": HEADLINE_OPTIONS,
        "translate_from": "<>" + START + STOP,
        "translate_to": ANGLES,
    }


def _results_postgresql(terms, offset):
    """(search version, results, total), all read in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(RESULTS_SQL, results_sql_params(terms, offset))
        rows = cursor.fetchall()
    version = rows[0][0]
    results = []
    for _version, title, slug, guide_slug, summary, _total, heading, anchor, excerpt in rows:
        if title is None:
            break  # the version's own row, with nothing found
        url = page_url(slug=slug, guide_slug=guide_slug)
        results.append(
            Result(
                title=title,
                url=url,
                summary=summary,
                section_heading=heading or "",
                section_url=f"{url}#{anchor}" if anchor else url,
                excerpt=marked_excerpt(excerpt),
            )
        )
    return version, results, rows[0][5] if results else 0


LIVE = "p.status = %(published)s AND (p.parent_id IS NULL OR g.status = %(published)s)"

SUGGEST_SQL = f"""
SELECT DISTINCT ON (t.position) t.position, w.word
FROM unnest(%(words)s::text[]) WITH ORDINALITY AS t(word, position)
CROSS JOIN LATERAL (
    SELECT p.title AS text FROM conditions_page p LEFT JOIN conditions_page g ON g.id = p.parent_id
    WHERE p.title %%> t.word AND {LIVE}
    UNION ALL
    SELECT s.heading FROM conditions_section s
    JOIN conditions_page p ON p.id = s.page_id LEFT JOIN conditions_page g ON g.id = p.parent_id
    WHERE s.heading %%> t.word AND {LIVE}
) source
CROSS JOIN LATERAL regexp_split_to_table(lower(source.text), '[^[:alpha:]]+') AS w(word)
WHERE length(w.word) >= 3 AND similarity(w.word, t.word) >= %(similarity)s
ORDER BY t.position, similarity(w.word, t.word) DESC, w.word"""  # noqa: S608 - constant SQL


def _suggest_postgresql(terms):
    words = [match.group().lower() for match in WORD.finditer(terms)]
    if not words:
        return None
    with connection.cursor() as cursor:
        cursor.execute(SUGGEST_SQL, {"words": words, "published": PUBLISHED, "similarity": SUGGEST_MIN_SIMILARITY})
        best = {words[position - 1]: word for position, word in cursor.fetchall()}
    return _corrected(terms, best)


def _corrected(terms, corrections):
    """`terms` with each typed word replaced by its correction, or None when nothing changes."""
    changed = False

    def replace(match):
        nonlocal changed
        word = corrections.get(match.group().lower())
        if word is None or word == match.group().lower():
            return match.group()
        changed = True
        return word

    corrected = WORD.sub(replace, terms)
    return corrected if changed else None


# --- SQLite and other databases -------------------------------------------------------------

PHRASE_OR_WORD = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')


def needles(terms: str) -> tuple[list[str], list[str]]:
    """The words and quoted phrases that must appear, and those that must not (after a minus)."""
    wanted, unwanted = [], []
    for match in PHRASE_OR_WORD.finditer(terms.lower()):
        minus, text = (match.group(1), match.group(2)) if match.group(2) is not None else match.group(3, 4)
        text = " ".join(re.findall(r"\w+", text))
        if not text or text == "or":
            continue
        (unwanted if minus else wanted).append(text)
    return wanted, unwanted


def _applicable_synonyms(terms):
    """Synonyms whose whole term appears, word for word, in what was typed."""
    typed = " " + " ".join(re.findall(r"\w+", terms.lower())) + " "
    return Synonym.objects.annotate(
        typed=Value(typed), padded_term=Concat(Value(" "), Lower("term"), Value(" "))
    ).filter(typed__contains=F("padded_term"))


def _results_sqlite(terms, offset):
    wanted, unwanted = needles(terms)
    if not wanted:
        return [], 0
    in_text = [Q(search_document__text__contains=needle) for needle in wanted]
    by_synonym = (
        _applicable_synonyms(terms)
        .annotate(document=Lower(OuterRef("search_document__text"), output_field=TextField()))
        .filter(document__contains=Lower("means"))
    )
    for needle in wanted:
        # Words of the synonym's own term need not be on the page: its meaning stands in for them.
        by_synonym = by_synonym.filter(Q(document__contains=needle) | Q(padded_term__contains=Value(f" {needle} ")))
    matches = Q(*in_text) | Exists(by_synonym)
    for needle in unwanted:
        matches &= ~Q(search_document__text__contains=needle)
    rank = sum(
        (
            Case(When(title__icontains=needle, then=Value(3)), default=Value(0), output_field=IntegerField())
            + Case(When(summary__icontains=needle, then=Value(2)), default=Value(0), output_field=IntegerField())
            + Case(
                When(search_document__text__contains=needle, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        for needle in wanted
    )
    sections = Section.objects.filter(page=OuterRef("pk")).annotate(
        text=Lower(Concat("heading", Value(" "), "body", output_field=TextField()))
    )
    section_synonyms = _applicable_synonyms(terms).annotate(section=Lower(OuterRef("text"), output_field=TextField()))
    best = sections.filter(
        Q(*[Q(text__contains=needle) for needle in wanted], _connector=Q.OR)
        | Exists(section_synonyms.filter(section__contains=Lower("means")))
    ).order_by("order", "pk")
    found = (
        Page.objects.published()
        .filter(matches)
        .annotate(
            rank=rank,
            total=Window(Count("pk")),
            guide_slug=F("parent__slug"),
            best_heading=Subquery(best.values("heading")[:1]),
            best_anchor=Subquery(best.values("anchor")[:1]),
            best_body=Subquery(best.values("body")[:1]),
        )
        .order_by("-rank", "title", "pk")
        .values("title", "slug", "guide_slug", "summary", "total", "best_heading", "best_anchor", "best_body")
    )[offset : offset + PER_PAGE]
    results = []
    rows = list(found)
    for row in rows:
        url = page_url(slug=row["slug"], guide_slug=row["guide_slug"])
        results.append(
            Result(
                title=row["title"],
                url=url,
                summary=row["summary"],
                section_heading=row["best_heading"] or "",
                section_url=f"{url}#{row['best_anchor']}" if row["best_anchor"] else url,
                excerpt=marked_excerpt(excerpt_of(row["best_body"], wanted)) if row["best_body"] else None,
            )
        )
    return results, rows[0]["total"] if rows else 0


def excerpt_of(markdown: str, wanted: list[str], words: int = 35) -> str:
    """About `words` words of the section around the first match, with each match marked."""
    text = plain_text(markdown)
    all_words = text.split()
    lowered = [word.lower() for word in all_words]
    first = next(
        (i for i, word in enumerate(lowered) if any(needle.split()[0] in word for needle in wanted)),
        0,
    )
    start = max(0, first - 10)
    snippet = " ".join(all_words[start : start + words])
    alternatives = "|".join(re.escape(needle) for needle in sorted(wanted, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})", re.I)
    snippet = pattern.sub(lambda m: f"{START}{m.group()}{STOP}", snippet)
    return ("… " if start else "") + snippet + (" …" if start + words < len(all_words) else "")


def _suggest_sqlite(terms):
    typed = [match.group().lower() for match in WORD.finditer(terms)]
    if not typed:
        return None
    texts = SearchDocument.objects.filter(page__in=Page.objects.published()).values_list("text", flat=True)
    vocabulary = {word for text in texts for word in WORD.findall(text)}
    corrections = {}
    for word in typed:
        if word not in vocabulary:
            close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.75)
            if close:
                corrections[word] = close[0]
    return _corrected(terms, corrections)
