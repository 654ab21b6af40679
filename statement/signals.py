"""Register changes ask for a statement publish: the handlers only enqueue (debounced).

The logic lives in ``statement.services``; these receivers are the trigger and nothing more.
"""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from .services import statement_draft_soon

DISPATCH_PREFIX = "statement.publish-on."


def _register_changed(sender, **kwargs) -> None:
    statement_draft_soon()


def _m2m_changed(sender, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        statement_draft_soon()


def register_models() -> list:
    """The register's own models, not their history tables."""
    return [
        model
        for model in apps.get_app_config("registry").get_models()
        if not model.__name__.startswith("Historical")
    ]


def connect() -> None:
    """Connect once (StatementConfig.ready); dispatch_uid makes a second call harmless."""
    for model in register_models():
        uid = f"{DISPATCH_PREFIX}{model._meta.label}"
        post_save.connect(_register_changed, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(_register_changed, sender=model, dispatch_uid=uid + ".delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _m2m_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"{uid}.{field.name}",
            )
