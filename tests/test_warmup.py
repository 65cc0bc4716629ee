"""dystonia_portal.warmup: what gunicorn's master compiles before it forks the workers."""

from django.template import engines

from dystonia_portal.warmup import compile_templates_and_urls


def test_every_template_is_compiled_and_kept_before_any_request():
    engine = engines["django"].engine
    cached = engine.template_loaders[0]
    cached.reset()
    count = compile_templates_and_urls()
    kept = set(cached.get_template_cache)
    assert count == len(kept) > 100
    assert {"base.html", "conditions/page_detail.html", "comments/comment.html", "admin/base.html"} <= kept


def test_an_app_with_no_templates_compiles_none(settings):
    """benchmarks.bare runs under the same gunicorn.conf.py, with no template engine at all."""
    settings.TEMPLATES = []
    assert compile_templates_and_urls() == 0
