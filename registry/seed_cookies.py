"""C-DOT's cookie inventory and banner settings (issue 15): pure data for `register_seed()`.

The app's own cookies are taken from the settings that set them, so the inventory stays true
when a setting changes (tests/test_registry_cookies.py compares them):
- the session cookie (staff sign-in; SESSION_COOKIE_AGE of inactivity),
- the CSRF cookie (forms; CSRF_COOKIE_AGE, or the browser session),
- Django's message cookie (staff pages; browser session),
- the consent cookie of the banner (ConsentSettings.consent_months).
No language cookie is listed: the site chooses the language from the URL (/nl/, /fr/, /en/)
and has no view that sets Django's language cookie.

Purpose F of the source statement uses cookies "to follow website visitors and contact them
after their visit" but names neither the tools nor their cookies. The statistics and marketing
entries are therefore patterns without a lifetime: the register hints ask staff to replace them
with the real cookie names and lifetimes, rather than a made-up list that would look true.
"""

from typing import Any

from django.conf import settings

from .models_cookies import CONSENT_COOKIE_NAME, DEFAULT_CONSENT_MONTHS
from .seed_data import t

CONSENT_SETTINGS = {
    "consent_months": DEFAULT_CONSENT_MONTHS,
    # the domain of C-DOT's e-mail address (seed: glenn@c-dot.be)
    "allowed_origins": "https://www.c-dot.be\nhttps://c-dot.be",
}


def seconds_as_lifetime(seconds: int | None) -> tuple[int | None, str]:
    """A max-age in seconds as (value, unit) in the largest unit that divides it exactly."""
    if not seconds:
        return None, "session"
    for unit, size in (("weeks", 7 * 86400), ("days", 86400), ("hours", 3600)):
        if seconds % size == 0:
            return seconds // size, unit
    return max(1, round(seconds / 3600)), "hours"


def cookies() -> list[dict[str, Any]]:
    """The inventory rows, read from the settings at seed time."""
    session = seconds_as_lifetime(settings.SESSION_COOKIE_AGE)
    csrf = seconds_as_lifetime(None if settings.CSRF_USE_SESSIONS else settings.CSRF_COOKIE_AGE)
    rows: list[dict[str, Any]] = [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "category": "strictly_necessary",
            "lifetime": session,
            "purpose": t(
                "Houdt een medewerker van C-DOT aangemeld in het privacysysteem; verloopt na "
                "een periode zonder activiteit.",
                "Maintient un collaborateur de C-DOT connecté au système de vie privée ; expire "
                "après une période d'inactivité.",
                "Keeps a C-DOT staff member signed in to the privacy system; expires after a "
                "period without activity.",
            ),
        },
        {
            "name": settings.CSRF_COOKIE_NAME,
            "category": "strictly_necessary",
            "lifetime": csrf,
            "purpose": t(
                "Beschermt de formulieren (zoals het formulier voor uw privacyverzoek) tegen "
                "vervalste inzendingen vanaf andere websites.",
                "Protège les formulaires (comme celui de votre demande relative à la vie "
                "privée) contre les envois falsifiés depuis d'autres sites.",
                "Protects the forms (such as the form for your privacy request) against forged "
                "submissions from other websites.",
            ),
        },
        {
            "name": "messages",
            "category": "strictly_necessary",
            "lifetime": (None, "session"),
            "purpose": t(
                "Toont een medewerker de bevestiging van een handeling op de volgende pagina.",
                "Affiche à un collaborateur la confirmation d'une action sur la page suivante.",
                "Shows a staff member the confirmation of an action on the next page.",
            ),
        },
        {
            "name": CONSENT_COOKIE_NAME,
            "category": "strictly_necessary",
            "activity": "F",
            "lifetime": (DEFAULT_CONSENT_MONTHS, "months"),
            "purpose": t(
                "Onthoudt uw keuze in de cookiebanner en een willekeurig toestemmingsnummer, "
                "zodat we u niet opnieuw vragen en uw keuze kunnen aantonen (art. 7, lid 1 AVG).",
                "Retient votre choix dans la bannière cookies et un numéro de consentement "
                "aléatoire, afin de ne pas vous redemander et de pouvoir prouver votre choix "
                "(art. 7, par. 1 du RGPD).",
                "Remembers your choice in the cookie banner and a random consent number, so we "
                "do not ask again and can prove your choice (Art. 7(1) GDPR).",
            ),
        },
        {
            "name": "_stats_*",
            "category": "statistics",
            "activity": "F",
            "lifetime": (None, ""),
            "purpose": t(
                "Telt bezoeken en volgt hoe bezoekers de website gebruiken.",
                "Compte les visites et suit la manière dont les visiteurs utilisent le site.",
                "Counts visits and follows how visitors use the website.",
            ),
            "note": (
                "The source statement (purpose F) names no statistics tool: replace this pattern "
                "with the tool's real cookie names and fill in their lifetime."
            ),
        },
        {
            "name": "_followup_*",
            "category": "marketing",
            "activity": "F",
            "recipient": "newsletter-ecommerce",
            "lifetime": (None, ""),
            "purpose": t(
                "Herkent u na uw bezoek, zodat we u kunnen contacteren met informatie over onze "
                "diensten.",
                "Vous reconnaît après votre visite, afin que nous puissions vous contacter avec "
                "des informations sur nos services.",
                "Recognises you after your visit, so that we can contact you with information "
                "about our services.",
            ),
            "note": (
                "The source statement (purpose F) names no marketing tool: replace this pattern "
                "with the platform's real cookie names and fill in their lifetime."
            ),
        },
    ]
    return rows


# Proof of cookie consent (Art. 7(1)): its own rule, read by the purge (consent.models).
RETENTION_RULES = [
    {
        "code": "cookie-consent",
        "activity": "F",
        "data_category": None,
        "period": (1, "years"),
        "anchor": "recorded_at",
        "action": "delete",
        "legal_reference": (
            "Art. 7(1) en 5(1)(e) AVG: bewijs van elke toestemming zolang die geldt (6 maanden) "
            "plus tijd om een vraag of klacht te beantwoorden — door de privacyverantwoordelijke "
            "te bevestigen"
        ),
        "name": t(
            "Bewijs van cookietoestemming",
            "Preuve du consentement aux cookies",
            "Proof of cookie consent",
        ),
        "statement_text": t(
            "Van uw keuze in de cookiebanner bewaren we enkel een willekeurig nummer, het "
            "tijdstip, de versie van de banner, uw keuze per categorie en de taal, zonder uw "
            "IP-adres, om uw toestemming te kunnen aantonen; daarna wordt dit gewist.",
            "De votre choix dans la bannière cookies, nous ne conservons qu'un numéro aléatoire, "
            "l'heure, la version de la bannière, votre choix par catégorie et la langue, sans "
            "votre adresse IP, pour pouvoir prouver votre consentement ; ensuite, ces données "
            "sont effacées.",
            "Of your choice in the cookie banner we keep only a random number, the time, the "
            "banner version, your choice per category and the language, without your IP "
            "address, to be able to prove your consent; after that it is erased.",
        ),
    },
]
