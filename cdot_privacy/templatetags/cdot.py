from django import template
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def translated_url(context, language: str) -> str:
    """The current page in another language (the switcher and hreflang links use it)."""
    request = context.get("request")
    if request is None:
        return f"/{language}/"
    return translate_url(request.path, language)
