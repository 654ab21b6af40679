"""Template tags reading the register: the controller's identity for every public page."""

from django import template

from registry.models import Organisation

register = template.Library()


@register.inclusion_tag("registry/controller_identity.html")
def controller_identity() -> dict:
    """Name, address, company number and contact of the controller (Art. 13(1)(a))."""
    return {"org": Organisation.objects.current()}
