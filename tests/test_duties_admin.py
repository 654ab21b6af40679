"""The staff pages of issue 16 open for a privacy officer and refuse bad input with a message
(no 500): processor duties, DPIA screenings, cameras, the breach with its client rows."""

from datetime import date

import pytest

from processor.models import SubProcessorChange
from records.models import ProcessorDataset
from records.models_outbox import OutboxEmail
from registry.models import DpiaScreening, ProcessingActivity, ProcessorClient, Recipient

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(register_seeded_once, officer):
    return officer


@pytest.mark.parametrize(
    "url",
    [
        "/admin/processor/subprocessorchange/",
        "/admin/processor/subprocessorchange/add/",
        "/admin/processor/forwardedrequest/add/",
        "/admin/processor/dataend/add/",
        "/admin/registry/dpiascreening/",
        "/admin/registry/dpiascreening/add/",
        "/admin/registry/camera/add/",
        "/admin/breaches/breach/add/",
    ],
)
def test_the_pages_open(client, officer, url):
    assert client.get(url).status_code == 200


def test_a_sub_processor_change_through_the_admin_tells_the_clients(client, officer):
    host = Recipient.objects.create(code="dc", name="DC NV", kind=Recipient.Kind.SUB_PROCESSOR)
    bakery = ProcessorClient.objects.create(name="Bakkerij", contact_email="b@bakkerij.example")
    bakery.sub_processors.add(host)
    form = {
        "recipient": host.pk,
        "kind": "replaced",
        "effective_on": "01-09-2026",
        "description": "Backups move to Ghent.",
    }
    response = client.post("/admin/processor/subprocessorchange/add/", form)
    assert response.status_code == 302
    assert SubProcessorChange.objects.get().notices.get().client == bakery
    assert OutboxEmail.objects.get().to == ["b@bakkerij.example"]


def test_a_change_nobody_receives_is_refused_on_the_form(client, officer):
    host = Recipient.objects.create(code="dc", name="DC NV", kind=Recipient.Kind.SUB_PROCESSOR)
    form = {
        "recipient": host.pk,
        "kind": "removed",
        "effective_on": "01-09-2026",
        "description": "x",
    }
    response = client.post(
        "/admin/processor/subprocessorchange/add/", form, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "nothing to send" in response.content.decode() or "niets te versturen" in (
        response.content.decode()
    )
    assert not SubProcessorChange.objects.exists() and not OutboxEmail.objects.exists()


def test_a_change_for_a_client_without_e_mail_is_refused_on_the_form(client, officer):
    host = Recipient.objects.create(code="dc", name="DC NV", kind=Recipient.Kind.SUB_PROCESSOR)
    ProcessorClient.objects.create(name="Bakkerij", contact_email="b@bakkerij.example")
    ProcessorClient.objects.create(name="Notaris Claes")  # no contact e-mail in the register
    form = {
        "recipient": host.pk,
        "kind": "added",
        "effective_on": "01-09-2026",
        "description": "Off-site backups in Ghent.",
    }
    response = client.post("/admin/processor/subprocessorchange/add/", form)
    assert response.status_code == 200
    assert "Geen contact-e-mail voor: Notaris Claes. Vul eerst het register aan." in (
        response.content.decode()
    )
    assert not SubProcessorChange.objects.exists() and not OutboxEmail.objects.exists()


def test_return_or_deletion_without_data_is_refused_on_the_form(client, officer):
    bakery = ProcessorClient.objects.create(name="Bakkerij", contact_email="b@bakkerij.example")
    form = {
        "client": bakery.pk,
        "occasion": "client_request",
        "choice": "delete",
        "requested_on": "01-06-2026",
    }
    response = client.post("/admin/processor/dataend/add/", form)
    assert response.status_code == 200
    assert "niets te wissen" in response.content.decode()
    ProcessorDataset.objects.create(client=bakery, service="vps")
    assert client.post("/admin/processor/dataend/add/", form).status_code == 302
    assert ProcessorDataset.objects.get().deletion_requested_on == date(2026, 6, 1)


def test_a_screening_through_the_admin_records_who_decided(client, officer):
    activity = ProcessingActivity.objects.get(code="A")
    form = {
        "activity": activity.pk,
        "criteria": ["large_scale"],
        "result": "not_required",
        "reason": "A few hundred customers, no profiling.",
        "screened_on": "01-06-2026",
        "review_on": "01-06-2027",
    }
    response = client.post("/admin/registry/dpiascreening/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert DpiaScreening.objects.get(activity=activity).screened_by == officer
    form["activity"] = ProcessingActivity.objects.get(code="B").pk
    form["gba_items"] = ["gba_behaviour"]
    response = client.post("/admin/registry/dpiascreening/add/", form)
    assert response.status_code == 200
    assert "GBA" in response.content.decode()
    assert DpiaScreening.objects.count() == 2  # A and the seeded camera draft (F2) only
