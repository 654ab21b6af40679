"""Register hints on the website's cookie inventory (issue 15); part of `registry.hints.CHECKS`.

Belgian law (art. 10/2 of the law of 30 July 2018) needs prior consent for every cookie that is
not strictly necessary; Art. 13(2)(a) GDPR asks for its lifetime, Art. 13(1)(c) for its purpose.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .hints import Finding, Level, _warn, missing_languages
from .models import ProcessingActivity
from .models_cookies import CONSENT_COOKIE_NAME, ConsentSettings, Cookie, CookieCategory


def _category_findings(cookies: list[Cookie]) -> list[Finding]:
    used = {c.category for c in cookies}
    return [
        Finding(
            Level.INFO,
            "cookie.category_empty",
            _(
                "No cookie is listed under '%(category)s', so the banner does not offer this "
                "category. If the website sets such cookies, add them to the inventory."
            )
            % {"category": category.label},
            None,
            "13(1)(c)",
            Cookie,
        )
        for category in CookieCategory.optional()
        if category not in used
    ]


def _cookie_findings(cookie: Cookie, settings_row: ConsentSettings) -> list[Finding]:
    found = []
    if not cookie.has_lifetime:
        found.append(
            _warn(
                "cookie.no_lifetime",
                _("The cookie has no lifetime: the banner and the statement must state it."),
                cookie,
                "13(2)(a)",
            )
        )
    if cookie.needs_consent and cookie.activity_id is None:
        found.append(
            _warn(
                "cookie.no_activity",
                _("The cookie needs consent but serves no processing activity of the register."),
                cookie,
                "13(1)(c)",
            )
        )
    elif cookie.needs_consent and cookie.activity is not None and not cookie.activity.uses_consent:
        found.append(
            _warn(
                "cookie.activity_not_consent",
                _(
                    "The cookie is not strictly necessary, so it needs consent, but its "
                    "activity does not rest on consent."
                ),
                cookie,
                "6(1)(a)",
            )
        )
    if cookie.name == CONSENT_COOKIE_NAME and cookie.lifetime_display() != _months(settings_row):
        found.append(
            _warn(
                "cookie.consent_lifetime",
                _(
                    "The consent cookie's lifetime differs from the period a choice holds in "
                    "the banner settings (%(period)s)."
                )
                % {"period": _months(settings_row)},
                cookie,
                "7(1)",
            )
        )
    missing = missing_languages(cookie, "purpose")
    if missing:
        found.append(
            _warn(
                "translation.missing",
                _("Texts shown to the public lack a translation: %(languages)s.")
                % {"languages": ", ".join(missing)},
                cookie,
                "12(1)",
            )
        )
    return found


def _months(settings_row: ConsentSettings) -> str:
    probe = Cookie(lifetime_value=settings_row.consent_months, lifetime_unit="months")
    return probe.lifetime_display()


def check_cookies(activities: list[ProcessingActivity]) -> list[Finding]:
    """The inventory is complete enough for the banner and the statement."""
    cookies = list(Cookie.objects.select_related("activity"))
    settings_row = ConsentSettings.objects.current()
    found = _category_findings(cookies)
    for cookie in cookies:
        found.extend(_cookie_findings(cookie, settings_row))
    if cookies and not settings_row.origins:
        found.append(
            _warn(
                "cookie.no_origins",
                _("No website is listed in the banner settings, so no consent can be recorded."),
                settings_row if settings_row.pk else None,
                "7(1)",
                ConsentSettings,
            )
        )
    return found
