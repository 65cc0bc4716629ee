"""Where a value is left in the database: every text column of every model, and every session."""

from django.apps import apps
from django.db import models

from accounts.models import Session

TEXT_FIELDS = (models.CharField, models.TextField, models.GenericIPAddressField, models.EmailField)


def places_holding(value: str) -> list[str]:
    """Each `app.Model.field` with a row containing `value` (any letter case), and "session"
    if a session holds it (tests/security's no-raw-address test uses it too)."""
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            searchable = isinstance(field, TEXT_FIELDS) and not field.is_relation
            if searchable and model._default_manager.filter(**{f"{field.name}__icontains": value}).exists():
                found.append(f"{model._meta.label}.{field.name}")
    if any(value.lower() in str(session.get_decoded()).lower() for session in Session.objects.all()):
        found.append("session")
    return found
