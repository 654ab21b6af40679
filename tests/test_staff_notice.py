"""Staff privacy notice (#16 point 5, purpose G; Art. 13 GDPR): generated from the activities
whose data subjects are employees, in nl/fr/en with a PDF per language, versioned like the
public statement, staff-only (admin), never on the public site. The collective agreement
no. 81 paragraph appears only when the register records monitoring of e-mail/internet use;
no. 68 only when a camera films staff (with its location and the footage rule's period)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from cdot_privacy.roles import AUDITOR, PRIVACY_OFFICER, STAFF, roles_setup
from registry.models import (
    Organisation,
    ProcessingActivity,
    RetentionRule,
    SupervisoryAuthority,
)
from registry.models_cameras import FOOTAGE_RULE_CODE, Camera
from statement.models import StaffNoticeVersion
from statement.pdfs import version_pdf
from statement.staff_notice import EMPLOYEES, StaffNoticeIncomplete, staff_notice_publish
from tests.conftest import renders_a_pdf
from tests.pdf_text import pdf_text
from tests.statement_support import LANGUAGES, page_text, register_complete

pytestmark = pytest.mark.django_db

# The headings of the two conditional paragraphs, as each language prints them.
CAO81 = {"nl": "cao nr. 81", "fr": "CCT n° 81", "en": "collective agreement no. 81"}
CAO68 = {"nl": "cao nr. 68", "fr": "CCT n° 68", "en": "collective agreement no. 68"}
TITLE = {
    "nl": "Privacyverklaring voor het personeel van",
    "fr": "Déclaration de confidentialité pour le personnel de",
    "en": "Privacy notice for the staff of",
}


@pytest.fixture(scope="module")
def seeded(register_seeded_once, django_db_blocker):
    """C-DOT's register as register_seed_cdot leaves it, once for the module (each test's
    changes are rolled back). The bootstrap's test commits: test_staff_notice_bootstrap.py."""
    with django_db_blocker.unblock():
        register_complete()


def staff_activities():
    return ProcessingActivity.objects.active().filter(
        data_subject_categories__code=EMPLOYEES, role=ProcessingActivity.Role.CONTROLLER
    )


def body_text(version: StaffNoticeVersion, lang: str) -> str:
    return page_text(version.body(lang))


@renders_a_pdf
def test_notice_says_what_the_register_holds_about_staff_in_each_language(seeded):
    result = staff_notice_publish()
    assert result.created and result.version.number == 1
    staff = list(staff_activities())
    assert {a.code for a in staff} == {"G", "I"}  # the seed's employee activities
    others = ProcessingActivity.objects.active().exclude(pk__in=[a.pk for a in staff])
    for lang in LANGUAGES:
        text = pdf_text(version_pdf(version=result.version, language=lang))
        with translation.override(lang):
            assert TITLE[lang] in text
            assert Organisation.objects.current().legal_name in text
            assert SupervisoryAuthority.objects.current().name in text  # Art. 77 complaint
            for activity in staff:
                assert f"{activity.code}. {activity.name}" in text
                assert activity.purpose[:40] in text
                for rule in activity.retention_rules.filter(is_active=True):
                    assert rule.period_display() in text
                for recipient in activity.recipients.all():
                    assert recipient.name in text
            for activity in others:  # customers' and visitors' activities stay out
                assert f"{activity.code}. {activity.name}" not in text
        # The seed records neither e-mail/internet monitoring nor a camera filming staff.
        assert CAO81[lang] not in text
        assert CAO68[lang] not in text


def test_no_new_version_while_the_register_says_the_same(seeded):
    first = staff_notice_publish()
    again = staff_notice_publish()
    assert again.created is False
    assert again.version.pk == first.version.pk
    assert StaffNoticeVersion.objects.count() == 1


@renders_a_pdf
def test_cao_81_paragraph_only_when_the_register_records_monitoring(seeded):
    without = staff_notice_publish().version
    for lang in LANGUAGES:
        assert CAO81[lang] not in body_text(without, lang)
    ProcessingActivity.objects.filter(code="I").update(monitors_staff_communications=True)
    result = staff_notice_publish()
    assert result.created and result.version.number == 2
    activity = ProcessingActivity.objects.get(code="I")
    for lang in LANGUAGES:
        text = pdf_text(version_pdf(version=result.version, language=lang))
        assert CAO81[lang] in text
        with translation.override(lang):
            assert f"{activity.code}. {activity.name}" in page_text(
                result.version.body(lang).split('id="staff-monitoring"')[1]
            )


@renders_a_pdf
def test_cao_68_paragraph_only_with_a_camera_filming_staff(seeded):
    rule = RetentionRule.objects.get_by_code(FOOTAGE_RULE_CODE)
    camera = Camera.objects.create(
        activity=rule.activity,
        location="Entrance hall, Leuvensesteenweg 161B",
        mobility=Camera.Mobility.FIXED,
        setting=Camera.Setting.INDOOR,
        place=Camera.Place.PRIVATE_PUBLIC,
        purpose="Protecting people and property.",
        legal_basis="Legitimate interest (Art. 6(1)(f) GDPR) within the camera law.",
        retention_rule=rule,
        viewers="The manager",
        films_staff=False,
    )
    without = staff_notice_publish().version
    for lang in LANGUAGES:
        assert CAO68[lang] not in body_text(without, lang)
        assert camera.location not in body_text(without, lang)
    Camera.objects.filter(pk=camera.pk).update(films_staff=True)
    result = staff_notice_publish()
    assert result.created and result.version.number == 2
    for lang in LANGUAGES:
        text = pdf_text(version_pdf(version=result.version, language=lang))
        assert CAO68[lang] in text
        assert camera.location in text
        with translation.override(lang):
            assert rule.period_display() in page_text(
                result.version.body(lang).split('id="staff-cameras"')[1]
            )


def test_nothing_stored_when_no_activity_concerns_employees(seeded):
    for activity in staff_activities():
        activity.data_subject_categories.remove(
            *activity.data_subject_categories.filter(code=EMPLOYEES)
        )
    with pytest.raises(StaffNoticeIncomplete):
        staff_notice_publish()
    assert not StaffNoticeVersion.objects.exists()


# --- staff-only: who may see and publish it; nothing public -----------------------------------


@pytest.fixture
def users(db):
    roles_setup()
    made = {}
    for role in (PRIVACY_OFFICER, STAFF, AUDITOR):
        user = get_user_model().objects.create_user(
            role.lower().replace(" ", "-"), f"{role[:3]}@c-dot.be", "x" * 20, is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        made[role] = user
    return made


CHANGELIST = "admin:statement_staffnoticeversion_changelist"
PUBLISH = "admin:statement_staffnoticeversion_publish"


@renders_a_pdf
def test_officer_publishes_auditor_reads_staff_and_anonymous_are_refused(seeded, users, client):
    changelist, publish = reverse(CHANGELIST), reverse(PUBLISH)
    # anonymous: sent to the login page, nothing published
    response = client.get(changelist)
    assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.post(publish)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not StaffNoticeVersion.objects.exists()
    # staff (request handlers): no access at all
    client.force_login(users[STAFF])
    assert client.get(changelist).status_code == 403
    assert client.post(publish).status_code == 403
    # auditor: reads, may not publish
    client.force_login(users[AUDITOR])
    page = client.get(changelist)
    assert page.status_code == 200
    assert publish not in page.content.decode()
    assert client.post(publish).status_code == 403
    assert not StaffNoticeVersion.objects.exists()
    # privacy officer: sees the button and publishes
    client.force_login(users[PRIVACY_OFFICER])
    page = client.get(changelist, headers={"accept-language": "nl"})
    assert publish in page.content.decode()
    response = client.post(publish, follow=True)
    assert response.status_code == 200
    version = StaffNoticeVersion.objects.get()
    assert version.published_by == users[PRIVACY_OFFICER]
    # publishing again with an unchanged register: told so, no new version
    client.post(publish)
    assert StaffNoticeVersion.objects.count() == 1
    # the auditor downloads each language's PDF from the list
    client.force_login(users[AUDITOR])
    listing = client.get(changelist).content.decode()
    for lang in LANGUAGES:
        url = reverse("admin:statement_staffnoticeversion_pdf", args=[version.pk, lang])
        assert url in listing
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert TITLE[lang] in pdf_text(response.content)
        # Published without PDFs (the worker renders them): the download rendered and stored it.
        assert StaffNoticeVersion.objects.get().pdf(lang) == response.content
    bad = reverse("admin:statement_staffnoticeversion_pdf", args=[version.pk, "de"])
    assert client.get(bad).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_incomplete_register_is_refused_with_a_message(seeded, users, client):
    for activity in staff_activities():
        activity.data_subject_categories.remove(
            *activity.data_subject_categories.filter(code=EMPLOYEES)
        )
    client.force_login(users[PRIVACY_OFFICER])
    response = client.post(reverse(PUBLISH), follow=True, headers={"accept-language": "en"})
    assert response.status_code == 200
    assert "an active activity whose data subjects are employees" in response.content.decode()
    assert not StaffNoticeVersion.objects.exists()


def test_never_on_the_public_site(seeded, client):
    from statement.services import statement_publish

    statement_publish()
    version = staff_notice_publish().version
    admin_prefix = reverse(CHANGELIST)
    assert not admin_prefix.startswith("/nl/privacy")
    for lang in LANGUAGES:
        for url in (f"/{lang}/privacy/", f"/{lang}/privacy/versions/"):
            response = client.get(url)
            assert response.status_code == 200
            html = response.content.decode()
            assert admin_prefix not in html
            assert "staffnotice" not in html
            assert TITLE[lang] not in html
            assert CAO81[lang] not in html and CAO68[lang] not in html
        # no public route serves it: the staff notice's own paths under /<lang>/privacy/
        for path in ("staff/", "staff-notice/", f"staff-notice/{version.number}/"):
            assert client.get(f"/{lang}/privacy/{path}").status_code == 404


# --- the register hint: the published notice must say what the register says ----------------

UNPUBLISHED = {
    "nl": "De privacyverklaring voor het personeel is nog nooit gepubliceerd: publiceer ze "
    "vanuit het register en bezorg ze aan het personeel.",
    "fr": "La déclaration de confidentialité pour le personnel n'a jamais été publiée : "
    "publiez-la à partir du registre et remettez-la au personnel.",
    "en": "The staff privacy notice has never been published: publish it from the register "
    "and give it to the staff.",
}
STALE = {
    "nl": "Het register wijzigde wat de privacyverklaring voor het personeel zegt: publiceer "
    "een nieuwe versie en bezorg ze aan het personeel.",
    "fr": "Le registre a modifié ce que dit la déclaration de confidentialité pour le "
    "personnel : publiez une nouvelle version et remettez-la au personnel.",
    "en": "The register changed what the staff privacy notice says: publish a new version "
    "and give it to the staff.",
}

LINK = {
    "nl": "Privacyverklaring voor het personeel",
    "fr": "Déclaration de confidentialité pour le personnel",
    "en": "Staff privacy notice",
}


def staff_notice_hints(lang: str = "en") -> list:
    from registry.hints import register_findings

    with translation.override(lang):
        return [f for f in register_findings() if f.code.startswith("staff_notice.")]


def test_the_register_hint_asks_for_the_notice_until_it_says_what_the_register_says(seeded):
    [hint] = staff_notice_hints()
    assert (hint.code, hint.level, hint.article) == ("staff_notice.unpublished", "warning", "13")
    assert hint.message == UNPUBLISHED["en"]
    assert hint.admin_url == reverse(CHANGELIST)  # where the officer publishes it
    staff_notice_publish()
    assert staff_notice_hints() == []
    # a change the notice does not show (an activity about customers only) keeps it current
    ProcessingActivity.objects.filter(code="A").update(purpose_nl="Klanten bedienen.")
    assert staff_notice_hints() == []
    # a change it shows makes the published version stale
    ProcessingActivity.objects.filter(code="I").update(monitors_staff_communications=True)
    [hint] = staff_notice_hints()
    assert (hint.code, hint.message) == ("staff_notice.stale", STALE["en"])
    assert hint.admin_url == reverse(CHANGELIST)
    assert staff_notice_publish().version.number == 2
    assert staff_notice_hints() == []


def test_the_hint_follows_the_notice_text_through_an_edit_and_its_undoing(seeded):
    """The state compares the text a fresh render gives: the same facts twice in a process give
    the same answer, a fact the text does not show changes nothing, and undoing an edit makes
    the published version current again."""
    staff_notice_publish()
    activity = ProcessingActivity.objects.get(code="I")
    # a fact the notice gathers but does not print (the consequence of not providing the data)
    ProcessingActivity.objects.filter(pk=activity.pk).update(
        consequence_of_not_providing_nl="Geen loon."
    )
    assert staff_notice_hints() == []
    for _round in range(2):
        ProcessingActivity.objects.filter(pk=activity.pk).update(purpose_en="Pay the staff.")
        assert [h.code for h in staff_notice_hints()] == ["staff_notice.stale"]
        assert [h.code for h in staff_notice_hints("nl")] == ["staff_notice.stale"]
        ProcessingActivity.objects.filter(pk=activity.pk).update(purpose_en=activity.purpose_en)
        assert staff_notice_hints() == []
    rule = RetentionRule.objects.filter(activity=activity, is_active=True).first()
    RetentionRule.objects.filter(pk=rule.pk).update(period_value=rule.period_value + 1)
    assert [h.code for h in staff_notice_hints()] == ["staff_notice.stale"]


def test_a_notice_template_changed_in_the_running_process_makes_the_version_stale(seeded, settings):
    """The state remembers what recent facts rendered to: a template reloaded in the process
    (the development server's autoreloader, a test's settings) is rendered afresh."""
    staff_notice_publish()
    assert staff_notice_hints() == []
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {"statement/staff_notice_body.html": "{{ facts.controller.legal_name }}"},
                    )
                ]
            },
        }
    ]
    assert [h.code for h in staff_notice_hints()] == ["staff_notice.stale"]


def test_the_dashboard_card_says_the_same_with_or_without_the_register_card(seeded, users, client):
    """The officer's dashboard shows the register hints too and takes the notice's state from
    them; a user who may read statements only gets it computed for the card alone."""
    from django.contrib.auth.models import Permission

    reader = get_user_model().objects.create_user(
        "reader", "reader@c-dot.be", "x" * 20, is_staff=True
    )
    reader.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="statement", codename="view_statementversion"
        )
    )

    def card(user) -> tuple[list[str], bool]:
        client.force_login(user)
        response = client.get(reverse("admin:index"), headers={"accept-language": "en"})
        assert response.status_code == 200
        sections = response.context["dashboard"]
        return [row["text"] for row in sections["statement"].rows], "register" in sections

    officer = users[PRIVACY_OFFICER]
    assert card(officer) == ([UNPUBLISHED["en"]], True)
    assert card(reader) == ([UNPUBLISHED["en"]], False)
    staff_notice_publish()
    assert card(officer) == ([], True)
    assert card(reader) == ([], False)
    ProcessingActivity.objects.filter(code="I").update(monitors_staff_communications=True)
    assert card(officer) == ([STALE["en"]], True)
    assert card(reader) == ([STALE["en"]], False)


def test_no_hint_while_the_register_cannot_make_a_notice(seeded):
    """Without an activity about employees there is nothing to publish (publishing refuses)."""
    for activity in staff_activities():
        activity.data_subject_categories.remove(
            *activity.data_subject_categories.filter(code=EMPLOYEES)
        )
    assert staff_notice_hints() == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_hint_shows_in_the_officers_language_on_the_hints_page_and_dashboard(
    seeded, users, client, lang
):
    client.force_login(users[PRIVACY_OFFICER])
    headers = {"accept-language": lang}
    changelist = reverse(CHANGELIST)
    hints_page = reverse("admin:registry_hints")

    def shown(url: str) -> str:
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        return page_text(response.content.decode())

    link = f'<a href="{changelist}">{LINK[lang]}</a>'  # the hint's, not the sidebar's
    html = client.get(hints_page, headers=headers).content.decode()
    assert link in html
    assert UNPUBLISHED[lang] in shown(hints_page)
    dashboard = client.get(reverse("admin:index"), headers=headers)
    rows = dashboard.context["dashboard"]["statement"].rows
    assert {"text": UNPUBLISHED[lang], "level": "warning", "url": changelist} in rows
    staff_notice_publish()
    assert UNPUBLISHED[lang] not in shown(hints_page)
    assert link not in client.get(hints_page, headers=headers).content.decode()
    assert UNPUBLISHED[lang] not in shown(reverse("admin:index"))
    ProcessingActivity.objects.filter(code="I").update(monitors_staff_communications=True)
    assert STALE[lang] in shown(hints_page)
    assert STALE[lang] in shown(reverse("admin:index"))
