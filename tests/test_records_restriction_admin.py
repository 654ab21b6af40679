"""Issue 13: staff restrict and lift a restriction (Art. 18) from the contact's page through
the services (records.services.contact_restrict / contact_restriction_lift), never by ticking
a box on the change form: the lift needs a reason and the person told beforehand (Art. 18(3)),
and it is recorded; the dashboard's "restrictions past their end" then no longer lists it."""

from datetime import UTC, date, datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from cdot_privacy.roles import PRIVACY_OFFICER, STAFF, roles_setup
from records.models import Contact, RestrictionLiftReason, RestrictionReason
from records.services import contact_restrict
from tests.records_factories import ContactFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
HOLDS = "records-legalhold-content_type-object_id"


def _user(role: str):
    user = get_user_model().objects.create_user(
        role.split()[0].lower(), f"{role[:3].lower()}@c-dot.be", "x" * 20, is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def officer(client, settings, time_machine):
    settings.STAFF_2FA = False
    time_machine.move_to(NOW, tick=False)
    roles_setup()
    user = _user(PRIVACY_OFFICER)
    client.force_login(user)
    client.cookies["django_language"] = "nl"
    return user


@pytest.fixture
def ended(time_machine):
    """A contact whose restriction ended on 1 June: on the dashboard for a decision."""
    contact = ContactFactory(last_name="Verstraeten")
    time_machine.move_to(datetime(2026, 5, 1, tzinfo=UTC), tick=False)
    contact_restrict(pks=[contact.pk], reason=RestrictionReason.ACCURACY, until=date(2026, 6, 1))
    time_machine.move_to(NOW, tick=False)
    return contact


def _lift_url(*contacts) -> str:
    ids = ",".join(str(c.pk) for c in contacts)
    return f"{reverse('admin:records_contact_lift_restriction')}?ids={ids}"


def _restrict_url(*contacts) -> str:
    ids = ",".join(str(c.pk) for c in contacts)
    return f"{reverse('admin:records_contact_restrict')}?ids={ids}"


def test_unticking_restricted_on_the_change_form_does_not_lift_it(client, officer, ended):
    url = reverse("admin:records_contact_change", args=[ended.pk])
    form = client.get(url).context["adminform"].form
    assert "restricted" not in form.fields and "restricted_until" not in form.fields
    data = {k: v for k, v in form.initial.items() if v is not None and k != "id"}
    data.update(
        {
            "first_contact_at_0": ended.first_contact_at.strftime("%Y-%m-%d"),
            "first_contact_at_1": "10:00:00",
            "restricted": "",  # what unticking the box posted
            f"{HOLDS}-TOTAL_FORMS": "0",
            f"{HOLDS}-INITIAL_FORMS": "0",
        }
    )
    assert client.post(url, data).status_code == 302
    ended.refresh_from_db()
    assert ended.restricted and ended.restricted_until == date(2026, 6, 1)


def test_the_officer_lifts_a_restriction_past_its_end_with_a_reason(client, officer, ended):
    assert client.get("/admin/").context["dashboard"]["restrictions"].data["total"] == 1
    page = client.get(reverse("admin:records_contact_change", args=[ended.pk])).content.decode()
    assert "Beperking opheffen" in page and _lift_url(ended).replace("&", "&amp;") in page

    form_page = client.get(_lift_url(ended)).content.decode()
    assert "art. 18, lid 3" in form_page  # the person is told before the lift

    refused = client.post(_lift_url(ended), {"reason": RestrictionLiftReason.REASON_ENDED})
    assert refused.status_code == 200 and "informed" in refused.context["form"].errors
    ended.refresh_from_db()
    assert ended.restricted

    response = client.post(
        _lift_url(ended), {"reason": RestrictionLiftReason.REASON_ENDED, "informed": "on"}
    )
    assert response.status_code == 302
    ended.refresh_from_db()
    assert not ended.restricted
    assert (ended.restriction_reason, ended.restricted_until, ended.restricted_at) == (
        "",
        None,
        None,
    )
    assert ended.restriction_lifted_at == NOW
    assert ended.restriction_lift_reason == RestrictionLiftReason.REASON_ENDED
    entry = LogEntry.objects.get(object_id=str(ended.pk))
    assert entry.user == officer  # who lifted it: the contact's history in the admin
    section = client.get("/admin/").context["dashboard"]["restrictions"]
    assert section.rows == [] and section.data["total"] == 0


def test_lifting_from_the_contact_list_lifts_only_restricted_ones(client, officer, ended):
    free = ContactFactory()
    response = client.post(
        reverse("admin:records_contact_changelist"),
        {"action": "lift_restriction", "_selected_action": [ended.pk, free.pk]},
    )
    assert response.status_code == 302 and response.url == _lift_url(ended)


def test_restricting_from_the_contact_page_needs_a_reason_and_a_future_end(client, officer):
    contact = ContactFactory()
    page = client.get(_restrict_url(contact))
    assert page.status_code == 200 and "art. 18" in page.content.decode()
    past = client.post(
        _restrict_url(contact), {"reason": RestrictionReason.ACCURACY, "until": "2026-06-10"}
    )
    assert past.status_code == 200 and "until" in past.context["form"].errors
    response = client.post(
        _restrict_url(contact), {"reason": RestrictionReason.LEGAL_CLAIMS, "until": "2026-09-30"}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.restricted, contact.restriction_reason, contact.restricted_until) == (
        True,
        RestrictionReason.LEGAL_CLAIMS,
        date(2026, 9, 30),
    )
    assert contact.marketing_opt_out and contact.restricted_at == NOW


def test_a_new_end_keeps_the_date_the_restriction_began(client, officer, ended):
    restricted_at = Contact.objects.get(pk=ended.pk).restricted_at
    response = client.post(
        _restrict_url(ended), {"reason": RestrictionReason.ACCURACY, "until": "2026-07-15"}
    )
    assert response.status_code == 302
    ended.refresh_from_db()
    assert ended.restricted_until == date(2026, 7, 15) and ended.restricted_at == restricted_at
    assert client.get("/admin/").context["dashboard"]["restrictions"].data["total"] == 0


def test_staff_who_may_only_read_contacts_cannot_lift(client, settings, ended):
    settings.STAFF_2FA = False
    roles_setup()
    client.force_login(_user(STAFF))
    lifted = client.post(_lift_url(ended), {"reason": "reason_ended", "informed": "on"})
    assert lifted.status_code == 403
    assert client.get(_lift_url(ended)).status_code == 403
    ended.refresh_from_db()
    assert ended.restricted


@pytest.mark.parametrize(
    ("language", "title", "informed"),
    [
        ("nl", "Beperking opheffen", "art. 18, lid 3"),
        ("fr", "Lever la limitation", "art. 18, par. 3"),
        ("en", "Lift the restriction", "Art. 18(3)"),
    ],
)
def test_the_lift_page_is_in_the_staff_member_s_language(
    client, officer, ended, language, title, informed
):
    client.cookies["django_language"] = language
    page = client.get(_lift_url(ended)).content.decode()
    assert title in page and informed in page


def test_the_service_refuses_a_lift_without_a_known_reason(ended):
    from records.services import ContactStateRefused, contact_restriction_lift

    with pytest.raises(ContactStateRefused):
        contact_restriction_lift(pks=[ended.pk], reason="because I said so")
    ended.refresh_from_db()
    assert ended.restricted and ended.restriction_lifted_at is None
