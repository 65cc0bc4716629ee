"""Work every process would otherwise do on its first requests, done once before gunicorn forks.

gunicorn loads the site in its master (`preload_app`) and forks the workers from it, and
replaces each worker after a while (`max_requests`). A new worker used to compile the
templates and the URL patterns on its first requests: its first condition page took about
350 ms instead of about 50 ms (cold caches), a stall that readers and `make bench` saw at
every replacement. Compiled here, in the master, every worker starts with them.

Then everything the master holds is moved out of the garbage collector's sight (`gc.freeze`,
as Python's documentation advises before forking): about 90,000 long-lived objects (modules,
compiled templates, URL patterns) that no request frees. A worker's full collections walked
all of them: about 0.2 ms of each signed-in page's 1.3 ms in process, and 0.05 ms once frozen.
Frozen, they also stay in memory pages the workers share with the master.
"""

import gc
from pathlib import Path

from django.template import engines
from django.urls import get_resolver


def compile_templates_and_urls() -> int:
    """Compile every template in the project's and the apps' template folders (the cached loader
    keeps them) and the URL patterns; how many templates. No database is touched."""
    count = 0
    for backend in engines.all():  # none for a bare app (benchmarks.bare)
        engine = getattr(backend, "engine", None)  # Django's own template language only
        if engine is None:
            continue
        folders = [Path(folder) for loader in engine.template_loaders for folder in _folders(loader)]
        names = sorted({str(path.relative_to(folder)) for folder in folders for path in folder.rglob("*.html")})
        for name in names:
            engine.get_template(name)
        count += len(names)
    get_resolver().reverse_dict  # noqa: B018 - reading it compiles every URL pattern
    return count


def _folders(loader):
    """The folders a template loader reads, through the cached loader that wraps them."""
    for inner in getattr(loader, "loaders", [loader]):
        yield from (folder for folder in inner.get_dirs() if Path(folder).is_dir())


def prepare_to_fork() -> int:
    """Compile the templates and URL patterns (`compile_templates_and_urls`), then freeze what
    the master holds, so the workers' collections never walk it; how many templates."""
    count = compile_templates_and_urls()
    gc.collect()  # nothing that is garbage already is kept for ever
    gc.freeze()
    return count
