"""The banner's content and version: texts (nl/fr/en) and the register's cookie inventory.

The version is a hash of everything the visitor is shown, so a changed inventory, purpose,
lifetime or text makes a new version, which asks every visitor again (the consent cookie holds
the version it answered). The build is a hash of the JavaScript and CSS code: a code change
gets a new URL (the files are cached for a year) without asking anyone again.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from registry.models import CONSENT_COOKIE_NAME, ConsentSettings, Cookie, CookieCategory

STATIC = Path(__file__).parent / "static" / "consent"
LANGUAGES = ("nl", "fr", "en")


def _ui(months: int) -> dict[str, str]:
    return {
        "title": _("Cookies on this website"),
        "intro": _(
            "The website needs a few cookies to work. With your consent we also use the "
            "cookies below. Refusing is as easy as accepting, and you can change or withdraw "
            "your choice at any time through “Cookie settings” at the bottom of every page."
        ),
        "remember": _("We remember your choice for %(months)d months, then ask again.")
        % {"months": months},
        "accept": _("Accept all"),
        "reject": _("Reject all"),
        "choose": _("Choose"),
        "save": _("Save my choice"),
        "close": _("Close: refuse all optional cookies"),
        "necessary": _("Strictly necessary cookies"),
        "necessaryText": _("Always on: the website cannot work without them."),
        "cookies": _("Cookies in this category"),
        "lifetime": _("Lifetime"),
        "saved": _("Your choice has been saved."),
        "failed": _("Your choice could not be recorded, so no optional cookies are used."),
        "settings": _("Cookie settings"),
        "statement": _("Privacy statement"),
    }


def _category_text(category: str) -> str:
    texts = {
        CookieCategory.PREFERENCES: _("Remember settings you chose for your next visit."),
        CookieCategory.STATISTICS: _("Count visits and show how the website is used."),
        CookieCategory.MARKETING: _(
            "Recognise you after your visit so that we can contact you about our services."
        ),
    }
    return str(texts[category])


def _cookie(cookie: Cookie, lang: str) -> dict[str, str]:
    party = cookie.recipient.name if cookie.recipient else _("this website")
    return {
        "name": cookie.name,
        "purpose": getattr(cookie, f"purpose_{lang}") or cookie.purpose_nl,
        "lifetime": cookie.lifetime_display() or _("not yet known"),
        "party": str(party),
    }


def _texts(lang: str, cookies: list[Cookie], offered: list[str], months: int) -> dict[str, Any]:
    with translation.override(lang):
        return {
            "ui": _ui(months),
            "statementUrl": f"/{lang}/privacy/",
            "necessary": [_cookie(c, lang) for c in cookies if not c.needs_consent],
            "categories": [
                {
                    "key": key,
                    "label": str(CookieCategory(key).label).capitalize(),
                    "text": _category_text(key),
                    "cookies": [_cookie(c, lang) for c in cookies if c.category == key],
                }
                for key in offered
            ],
        }


def banner_content() -> dict[str, Any]:
    """Everything the banner shows and does, from the register (two queries)."""
    settings_row = ConsentSettings.objects.current()
    cookies = list(Cookie.objects.for_banner())
    used = {c.category for c in cookies}
    offered = [c.value for c in CookieCategory.optional() if c.value in used]
    return {
        "cookie": CONSENT_COOKIE_NAME,
        "maxAge": settings_row.consent_seconds,
        "categories": offered,
        "patterns": {key: [c.name for c in cookies if c.category == key] for key in offered},
        "texts": {
            lang: _texts(lang, cookies, offered, settings_row.consent_months) for lang in LANGUAGES
        },
    }


def content_version(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


@cache
def code() -> tuple[str, str]:
    """The banner's JavaScript and CSS, read once per process."""
    return (
        (STATIC / "banner.js").read_text(encoding="utf-8"),
        (STATIC / "banner.css").read_text(encoding="utf-8"),
    )


def build() -> str:
    js, css = code()
    return hashlib.sha256((js + "\0" + css).encode("utf-8")).hexdigest()[:8]


def script(version: str, content: dict[str, Any]) -> str:
    """The versioned script: the banner code with its configuration filled in."""
    config = {**content, "v": version, "build": build()}
    data = json.dumps(config, ensure_ascii=False, separators=(",", ":"))
    # "</" cannot end a script element here, but keep the JSON safe to inline anywhere.
    return code()[0].replace("/*CONFIG*/null", data.replace("</", "<\\/"), 1)
