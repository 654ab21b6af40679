"""Issue #19: staff reach only what the workflow shows them.

- An ID copy sent with a request that was never confirmed is not served (the request has not
  entered the workflow; whoever typed the e-mail address may not be the person on the card).
- Only records the search showed for this request can be confirmed as the subject's; a record id
  typed into the POST by hand is refused and nothing is recorded.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from records.models import Contact
from requests_app.models import AuditEntry, DataSubjectRequest, IdCopy, SubjectMatch
from tests.requests.support import form_data, png_bytes, step, submit_and_verify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_in_process")]
URL = "/nl/privacy/request/"


def _id_copy_url(copy: IdCopy) -> str:
    return f"/admin/requests_app/datasubjectrequest/{copy.request_id}/id-copy/{copy.pk}/"


def test_the_id_copy_of_an_unconfirmed_request_is_not_served(client, officer):
    upload = SimpleUploadedFile("id.png", png_bytes(), content_type="image/png")
    assert client.post(URL, form_data(id_copy=upload)).status_code == 200
    copy = IdCopy.objects.get()
    assert copy.request.status == DataSubjectRequest.Status.UNVERIFIED
    client.force_login(officer)
    response = client.get(_id_copy_url(copy))
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.ID_COPY_VIEWED).exists()


def test_the_id_copy_of_a_confirmed_request_is_served_and_audited(
    client, officer, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("id.png", png_bytes(), content_type="image/png")
    dsr = submit_and_verify(client, django_capture_on_commit_callbacks, id_copy=upload)
    client.force_login(officer)
    response = client.get(_id_copy_url(dsr.id_copies.get()))
    assert response.status_code == 200
    assert AuditEntry.objects.filter(request=dsr, action=AuditEntry.Action.ID_COPY_VIEWED).exists()


def _contact(first: str, last: str, email: str) -> Contact:
    contact = Contact(first_name=first, last_name=last, email=email)
    contact.full_clean()
    contact.save()
    return contact


def _started(client, officer, django_capture_on_commit_callbacks) -> DataSubjectRequest:
    dsr = submit_and_verify(client, django_capture_on_commit_callbacks)
    client.force_login(officer)
    assert step(client, dsr, "start").status_code == 302
    return dsr


def test_a_record_the_search_did_not_show_cannot_be_confirmed(
    client, officer, django_capture_on_commit_callbacks
):
    own = _contact("Jan", "Peeters", "jan.peeters@example.be")
    stranger = _contact("Marie", "Claes", "marie.claes@example.be")
    dsr = _started(client, officer, django_capture_on_commit_callbacks)
    url = f"/admin/requests_app/datasubjectrequest/{dsr.pk}/search/?email=jan.peeters%40example.be"
    shown = client.get(url).context["hits"]
    assert [hit.pk for hit in shown] == [own.pk]
    response = client.post(
        url,
        {"confirm": "1", "hit": [f"records.contact:{own.pk}", f"records.contact:{stranger.pk}"]},
    )
    assert response.status_code == 400
    assert "niet getoond" in response.content.decode()  # the staff's language (nl)
    assert not SubjectMatch.objects.filter(request=dsr).exists()


def test_a_confirm_without_the_search_that_showed_the_hits_is_refused(
    client, officer, django_capture_on_commit_callbacks
):
    own = _contact("Jan", "Peeters", "jan.peeters@example.be")
    dsr = _started(client, officer, django_capture_on_commit_callbacks)
    url = f"/admin/requests_app/datasubjectrequest/{dsr.pk}/search/"
    response = client.post(url, {"confirm": "1", "hit": [f"records.contact:{own.pk}"]})
    assert response.status_code == 400
    assert not SubjectMatch.objects.filter(request=dsr).exists()


def test_the_hits_shown_are_confirmed(client, officer, django_capture_on_commit_callbacks):
    own = _contact("Jan", "Peeters", "jan.peeters@example.be")
    dsr = _started(client, officer, django_capture_on_commit_callbacks)
    url = f"/admin/requests_app/datasubjectrequest/{dsr.pk}/search/?email=jan.peeters%40example.be"
    assert client.get(url).status_code == 200
    response = client.post(url, {"confirm": "1", "hit": [f"records.contact:{own.pk}"]})
    assert response.status_code == 302
    assert list(SubjectMatch.objects.filter(request=dsr).values_list("object_id", flat=True)) == [
        own.pk
    ]
