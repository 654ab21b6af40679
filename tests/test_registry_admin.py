"""The register's staff screens: every page opens, hints and history show, exports download,
bad input changes nothing, and the public footer shows the controller from the register."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from registry.admin import RetentionRuleForm
from registry.models import (
    DataCategory,
    DataSubjectCategory,
    Organisation,
    ProcessingActivity,
    ProcessingCategory,
    ProcessorClient,
    Recipient,
    RetentionRule,
    SecurityMeasure,
    SupervisoryAuthority,
    Transfer,
)
from tests.conftest import renders_a_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(register_seeded_once, client, settings):
    settings.STAFF_2FA = False
    user = get_user_model().objects.create_superuser("officer", "o@example.be", "x" * 16)
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # assertions read the English texts
    return client


MODELS = [
    Organisation,
    SupervisoryAuthority,
    ProcessingActivity,
    DataCategory,
    DataSubjectCategory,
    Recipient,
    SecurityMeasure,
    RetentionRule,
    ProcessingCategory,
    ProcessorClient,
    Transfer,
]


def admin_url(model, view, *args):
    return reverse(f"admin:registry_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_register_page_opens_for_the_privacy_officer(officer_client, model):
    response = officer_client.get(admin_url(model, "changelist"), follow=True)
    assert response.status_code == 200
    obj = model.objects.first()
    if obj is not None:
        assert officer_client.get(admin_url(model, "change", obj.pk)).status_code == 200
        assert officer_client.get(admin_url(model, "history", obj.pk)).status_code == 200


def test_activity_page_shows_its_hints_and_the_fields_cite_their_article(officer_client):
    ProcessingActivity.objects.filter(code="E").update(
        legitimate_interest="", legitimate_interest_nl=""
    )
    page = officer_client.get(
        admin_url(ProcessingActivity, "change", ProcessingActivity.objects.get(code="E").pk)
    )
    html = page.content.decode()
    assert "Legitimate interest is the basis but the interest pursued is not described." in html
    assert "Art. 6(1)(f) and 13(1)(d)" in html  # help text of the legitimate interest field
    assert "Art. 30(1)(e)" in html


def test_activity_list_answers_basis_retention_and_recipients_at_a_glance(officer_client):
    html = officer_client.get(admin_url(ProcessingActivity, "changelist")).content.decode()
    assert "14 days after recording time" in html
    assert "at withdrawal of consent" in html
    assert "Police and judicial authorities" in html
    assert "0 errors" in html


def test_hints_page_lists_the_seed_warnings_with_links_to_fix_them(officer_client):
    html = officer_client.get(reverse("admin:registry_hints")).content.decode()
    rule = RetentionRule.objects.get_by_code("invoice")
    assert admin_url(RetentionRule, "change", rule.pk) in html
    assert admin_url(ProcessorClient, "add") in html  # the empty Art. 30(2) register


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        pytest.param("pdf", "application/pdf", marks=renders_a_pdf),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("csv", "text/csv; charset=utf-8"),
        ("json", "application/json"),
    ],
)
def test_ropa_downloads_from_the_admin(officer_client, fmt, content_type):
    response = officer_client.get(reverse("admin:registry_ropa"), {"format": fmt, "language": "fr"})
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith('attachment; filename="ropa-')
    assert len(response.content) > 1000


def test_ropa_form_refuses_a_future_date_with_a_message(officer_client):
    response = officer_client.get(
        reverse("admin:registry_ropa"), {"format": "pdf", "as_of": "2999-01-01"}
    )
    assert response.status_code == 200
    assert "Content-Disposition" not in response
    assert "Choose today or a date in the past." in response.content.decode()


def test_a_saved_rule_code_is_read_only_on_its_page(officer_client):
    rule = RetentionRule.objects.get_by_code("prospect")
    url = admin_url(RetentionRule, "change", rule.pk)
    form = officer_client.get(url).context["adminform"].form
    assert "code" not in form.fields
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update({"code": "prospects-renamed", "period_value": 2})
    assert officer_client.post(url, data).status_code == 302
    rule.refresh_from_db()
    assert (rule.code, rule.period_value) == ("prospect", 2)


def test_the_rule_form_used_inline_refuses_a_new_code_and_changes_nothing(officer_client):
    rule = RetentionRule.objects.get_by_code("prospect")
    data = {
        "code": "prospects-renamed",
        "activity": rule.activity_id,
        "period_value": 3,
        "period_unit": "years",
        "anchor": "first_contact",
        "action": "delete",
        "is_active": "on",
    }
    with translation.override("en"):  # the message as the English catalogue words it
        form = RetentionRuleForm(data=data, instance=rule)
        assert not form.is_valid()
        assert "The code of a saved rule cannot change" in form.errors["code"][0]
    rule.refresh_from_db()
    assert (rule.code, rule.period_value) == ("prospect", 1)


def _organisation_post(officer_client, **changes):
    org = Organisation.objects.current()
    url = admin_url(Organisation, "change", org.pk)
    form = officer_client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update(changes)
    return org, officer_client.post(url, data)


def test_a_company_number_typed_with_dots_is_stored_as_ten_digits_and_history_names_the_user(
    officer_client,
):
    org, response = _organisation_post(
        officer_client, kbo_number="0403.170.701", vat_number="be 0403.170.701"
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.kbo_number, org.vat_number, org.kbo_display) == (
        "0403170701",
        "BE0403170701",
        "0403.170.701",
    )
    assert org.history.first().history_user.username == "officer"
    assert (
        "controller.kbo_number"
        not in officer_client.get(reverse("admin:registry_hints")).content.decode()
    )


def test_a_wrong_company_number_is_refused_with_a_clear_message(officer_client):
    org, response = _organisation_post(officer_client, kbo_number="0403.170.702")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["kbo_number"]] == ["kbo_checksum"]
    assert "fails its check digits" in response.content.decode()
    org.refresh_from_db()
    assert org.kbo_number == ""


def test_the_single_organisation_cannot_be_added_twice_or_deleted(officer_client):
    assert officer_client.get(admin_url(Organisation, "add")).status_code == 403
    org = Organisation.objects.current()
    assert officer_client.get(admin_url(Organisation, "delete", org.pk)).status_code == 403
    assert officer_client.get(admin_url(Organisation, "changelist")).url == admin_url(
        Organisation, "change", org.pk
    )


def test_the_footer_tag_shows_the_controller_from_the_register(officer_client):
    org = Organisation.objects.current()
    org.phone = "016 11 22 33"
    org.save()
    html = Template("{% load registry_tags %}{% controller_identity %}").render(Context())
    assert "C-DOT BV" in html
    assert "3190 Boortmeerbeek" in html
    assert 'href="tel:+3216112233"' in html
    assert 'href="mailto:glenn@c-dot.be"' in html


def test_activity_list_counts_what_is_missing_per_activity(officer_client):
    ProcessingActivity.objects.filter(code="E").update(
        legitimate_interest="", legitimate_interest_nl=""
    )
    html = officer_client.get(admin_url(ProcessingActivity, "changelist")).content.decode()
    assert re.search(r"\b1 error\(s\), \d+ warning\(s\)", html)  # warnings: DPIA, countries
    assert "1 error," in html  # the summary above the list
