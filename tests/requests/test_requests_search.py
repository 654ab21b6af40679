"""Subject search: every key is normalised the way the records store it, in a few queries."""

import pytest
from django.utils import translation

from records.models import Contact, NewsletterSubscription, WebInquiry
from requests_app.selectors import search_keys, subject_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact() -> Contact:
    contact = Contact(
        first_name="Jan",
        last_name="Van den Broeck",
        email="Jan.VDB@Example.be",
        phone="015 51 35 31",
        mobile="0470 12 34 56",
        vat_number="BE0403.170.701",
    )
    contact.full_clean()
    contact.save()
    other = Contact(first_name="Jan", last_name="Peeters", email="other@example.be")
    other.full_clean()  # as every product path does: the search keys are filled
    other.save()
    return contact


@pytest.mark.parametrize(
    "keys",
    [
        {"email": "  jan.vdb@EXAMPLE.be "},
        {"phone": "+32 15 51 35 31"},
        {"phone": "0032 470/12.34.56"},
        {"vat_or_kbo": "0403 170 701"},
        {"vat_or_kbo": "BE0403170701"},
        {"name": "Jan Van den Broeck"},
        {"name": "van den broeck jan"},
        {"name": "JAN VAN DEN BROECK"},
    ],
)
def test_each_key_finds_the_contact_whatever_its_format(contact, keys):
    hits = subject_search(search_keys(**keys))
    assert [(hit.label, hit.pk) for hit in hits] == [("records.contact", contact.pk)]


def test_matched_on_tells_staff_why_a_record_was_found(contact):
    (hit,) = subject_search(search_keys(email="jan.vdb@example.be", phone="015513531"))
    assert hit.matched_on == ("email", "phone")


def test_an_impossible_phone_or_vat_is_reported_not_guessed(contact):
    keys = search_keys(phone="12", vat_or_kbo="BE0403170702")
    assert keys.empty and len(keys.problems) == 2
    assert subject_search(keys) == []


def test_search_covers_inquiries_and_newsletter_in_at_most_four_queries(
    contact, django_assert_max_num_queries
):
    WebInquiry.objects.create(
        name="J", email="jan.vdb@example.be", email_normalised="jan.vdb@example.be", message="?"
    )
    NewsletterSubscription.objects.create(
        email="JAN.vdb@example.be", email_normalised="jan.vdb@example.be", consent_text="ja"
    )
    keys = search_keys(email="jan.vdb@example.be", phone="015 51 35 31", name="Jan Peeters")
    with django_assert_max_num_queries(4):
        hits = subject_search(keys)
    assert sorted(hit.label for hit in hits) == [
        "records.contact",
        "records.contact",  # "Jan Peeters" by name: staff decide whether it is the subject
        "records.newslettersubscription",
        "records.webinquiry",
    ]


@pytest.mark.parametrize(
    "typed",
    ["genevieve dupre", "GENEVIÈVE DUPRÉ", "Dupre Genevieve", "dupré", "Geneviève  Dupré"],
)
def test_names_match_whatever_the_case_and_accents(typed):
    found = Contact(first_name="Geneviève", last_name="Dupré", email="g@example.be")
    found.full_clean()
    found.save()
    Contact.objects.create(first_name="Jan", last_name="Dupont", email="j@example.be")
    hits = subject_search(search_keys(name=typed))
    assert [(hit.label, hit.pk) for hit in hits] == [("records.contact", found.pk)]


def test_a_particle_written_together_still_finds_the_name(contact):
    hits = subject_search(search_keys(name="jan vanden broeck"))
    assert [hit.pk for hit in hits] == [contact.pk]


def test_a_record_saved_by_code_without_full_clean_is_found():
    """The keys are derived on save too: a row created by code is not missed by Art. 15."""
    contact = Contact.objects.create(first_name="Els", last_name="Vermeulen", email="Els@X.be")
    inquiry = WebInquiry.objects.create(name="Els", email="ELS@x.be", message="Vraag")
    subscription = NewsletterSubscription.objects.create(email="els@X.BE", consent_text="Ja")
    found = {(hit.model, hit.pk) for hit in subject_search(search_keys(email="els@x.be"))}
    assert found == {
        (Contact, contact.pk),
        (WebInquiry, inquiry.pk),
        (NewsletterSubscription, subscription.pk),
    }
    assert [h.pk for h in subject_search(search_keys(name="Vermeulen Els"))] == [contact.pk]


def test_a_changed_address_saved_with_update_fields_moves_its_key():
    contact = Contact.objects.create(first_name="Els", last_name="Vermeulen", email="old@x.be")
    contact.email, contact.last_name = "New@X.be", "Peeters"
    contact.save(update_fields=["email", "last_name"])
    contact.refresh_from_db()
    assert (contact.email_normalised, contact.name_key) == ("new@x.be", "peeters|els")
    assert not subject_search(search_keys(email="old@x.be"))


@pytest.mark.parametrize(
    ("language", "phone", "number"),
    [
        ("nl", "Het telefoonnummer is niet geldig.", "Het btw- of KBO-nummer is niet geldig."),
        (
            "fr",
            "Le numéro de téléphone n'est pas valide.",
            "Le numéro de TVA ou BCE n'est pas valide.",
        ),
    ],
)
def test_a_key_that_cannot_be_normalised_is_reported_in_the_staff_language(language, phone, number):
    with translation.override(language):
        keys = search_keys(phone="12", vat_or_kbo="BE12")
    assert keys.problems == [phone, number] and keys.empty
