"""schema.org MedicalWebPage markup for condition pages, as JSON-LD."""

import json

# Characters that could end or confuse a <script> element, escaped as JSON allows.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def page_json_ld(request, page, guide, sections, breadcrumbs) -> str:
    """The page as a schema.org MedicalWebPage; `breadcrumbs` are its ancestors as (name, path)."""
    url = request.build_absolute_uri(page.get_absolute_url())
    crumbs = [*breadcrumbs, (page.title, page.get_absolute_url())]
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": page.title,
        "description": page.summary,
        "url": url,
        "about": {"@type": "MedicalCondition", "name": guide.title},
        "lastReviewed": page.last_reviewed.isoformat(),
        "breadcrumb": {
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": position, "name": name, "item": request.build_absolute_uri(path)}
                for position, (name, path) in enumerate(crumbs, start=1)
            ],
        },
        "hasPart": [
            {
                "@type": "WebPageElement",
                "name": section.heading,
                "url": f"{url}#{section.anchor}",
            }
            for section in sections
            if section.heading and section.anchor
        ],
    }
    return json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
