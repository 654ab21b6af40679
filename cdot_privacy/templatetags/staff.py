"""Template helpers of the staff pages: readable history lines in the staff's language."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def change_reason(reason: str | None) -> str:
    """A history row's reason as words (the seed writes a code)."""
    from registry.services import SEED_REASON

    if not reason:
        return "—"
    if reason == SEED_REASON:
        return _("loaded from C-DOT's register (seed)")
    return reason


@register.simple_tag
def field_label(opts, name: str) -> str:
    """The verbose name of field ``name`` of the model behind ``opts`` (the raw name if gone)."""
    try:
        return str(opts.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name.replace("_", " ")


@register.filter
def history_value(value) -> str:
    """An old/new value of a history delta: booleans and empties as words."""
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value in (None, ""):
        return "—"
    return str(value)
