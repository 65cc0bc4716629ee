"""dystonia_portal.warmup: what gunicorn's master compiles before it forks the workers."""

import gc

from django.template import engines

from dystonia_portal.warmup import compile_templates_and_urls, prepare_to_fork


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


def test_what_the_master_holds_is_frozen_before_the_workers_fork():
    try:
        assert prepare_to_fork() > 100
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # the site's modules, templates and URL patterns
        tracked = len(gc.get_objects())
        assert tracked < frozen  # a full collection walks only what came after
    finally:
        gc.unfreeze()
