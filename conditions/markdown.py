"""Markdown to safe HTML for section bodies, done once when a section is saved."""

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "h3", "h4", "br", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def render_markdown(text: str) -> str:
    """Render editor-written Markdown and keep only an allow-list of tags and URL schemes.

    Raw HTML in the Markdown is passed through Markdown and then stripped by nh3,
    so a `<script>`, an `onclick` or a `javascript:` link never reaches a page.
    """
    html = markdown_lib.markdown(text, extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener",
    )
