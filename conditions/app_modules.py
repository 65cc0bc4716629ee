"""Find one module by name in every installed app, so conditions never imports the other apps.

`load_demo` calls each app's `demo.load()`; the page lookup asks each app's `page_versions`.
"""

import functools
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.apps import apps


@functools.cache
def app_modules(name: str) -> tuple[ModuleType, ...]:
    """Each installed app's `<app>.<name>` module, in INSTALLED_APPS order (apps without one are skipped).

    Looked up once per process: condition pages ask on every request.
    """
    modules = []
    for app_config in apps.get_app_configs():
        if find_spec(f"{app_config.name}.{name}") is not None:
            modules.append(import_module(f"{app_config.name}.{name}"))
    return tuple(modules)
