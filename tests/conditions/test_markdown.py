import pytest

from conditions.markdown import render_markdown


def test_markdown_renders_paragraphs_lists_and_links():
    html = render_markdown("First.\n\n* one\n* two\n\n[NHS](https://www.nhs.uk/)")
    assert "<p>First.</p>" in html
    assert "<li>one</li>" in html
    assert '<a href="https://www.nhs.uk/" rel="noopener">NHS</a>' in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        "[click](javascript:alert(1))",
        '<p onclick="alert(1)">text</p>',
        '<iframe src="https://evil.example/"></iframe>',
        "<svg onload=alert(1)>",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        "<style>body{display:none}</style>",
    ],
)
def test_markdown_strips_scripts_event_handlers_and_javascript_urls(hostile):
    html = render_markdown(f"Before {hostile} after")
    lowered = html.lower()
    assert "<script" not in lowered
    assert "onerror" not in lowered
    assert "onclick" not in lowered
    assert "onload" not in lowered
    assert "javascript:" not in lowered
    assert "<iframe" not in lowered
    assert "<style" not in lowered
    assert "Before" in html and "after" in html
