"""factory-boy factories for the records (and the register rows they need)."""

from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone

from records.models import (
    CameraRecording,
    Contact,
    Invoice,
    NewsletterSubscription,
    ProcessorDataset,
    WebInquiry,
)
from registry.models import Organisation, ProcessingActivity, ProcessorClient, RetentionRule


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessingActivity
        django_get_or_create = ("code",)

    code = "A"
    name = "Klantenbeheer"
    purpose = "Klanten en prospecten opvolgen"
    legal_basis = ProcessingActivity.LegalBasis.CONTRACT


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RetentionRule
        django_get_or_create = ("code",)

    code = "prospect"
    activity = factory.SubFactory(ActivityFactory)
    period_value = 1
    period_unit = "years"
    anchor = RetentionRule.Anchor.FIRST_CONTACT


def rule(code: str, value: int, unit: str, anchor: str, **extra) -> RetentionRule:
    """A rule with this code, created or updated to the given period."""
    found = RuleFactory(code=code, anchor=anchor, period_value=value, period_unit=unit, **extra)
    RetentionRule.objects.filter(pk=found.pk).update(
        period_value=value, period_unit=unit, anchor=anchor
    )
    found.refresh_from_db()
    return found


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    legal_name = "C-DOT bv"
    street = "Stationsstraat 1"
    postal_code = "3190"
    city = "Boortmeerbeek"
    email = "info@c-dot.be"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    kind = Contact.Kind.PROSPECT
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"person{n}@example.be")
    email_normalised = factory.LazyAttribute(lambda o: o.email.lower())
    first_contact_at = factory.LazyFunction(timezone.now)


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    number = factory.Sequence(lambda n: f"2019-{n:05d}")
    contact = factory.SubFactory(ContactFactory, kind=Contact.Kind.CUSTOMER)
    issue_date = date(2019, 6, 12)
    fiscal_year = factory.LazyAttribute(lambda o: o.issue_date.year)
    total_excl_vat = Decimal("100.00")
    vat_amount = Decimal("21.00")
    total_incl_vat = Decimal("121.00")
    billing_name = "Klant bv"


class WebInquiryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebInquiry

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"sender{n}@example.be")
    email_normalised = factory.LazyAttribute(lambda o: o.email.lower())
    message = "Graag een offerte."


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsletterSubscription

    email = factory.Sequence(lambda n: f"reader{n}@example.be")
    email_normalised = factory.LazyAttribute(lambda o: o.email.lower())
    consent_text = "Ja, stuur mij de nieuwsbrief."


class RecordingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CameraRecording

    camera = "cam1"
    file_path = factory.Sequence(lambda n: f"cam1/cam1_{n:06d}.mp4")
    recorded_from = factory.LazyFunction(timezone.now)


class ProcessorClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessorClient

    name = "Bakkerij Peeters"
    contact_email = "info@peeters.example"


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessorDataset

    client = factory.SubFactory(ProcessorClientFactory)
    service = ProcessorDataset.Service.MAILHOSTING
