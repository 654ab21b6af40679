"""Subject search: every record that may belong to the person behind a request.

Each key is normalised the way the records store it (records.normalise), so that every
condition hits an index: contacts by `email_normalised`, `phone_e164`, `mobile_e164`,
`kbo_number`, `vat_number` and (`last_name`, `first_name`); web inquiries and newsletter
subscriptions by `email_normalised`; invoices through the matched contacts
(`invoice_contact_date`). Staff then confirm which hits are the subject (SubjectMatch).

Names match whatever the case and accents ("genevieve dupre" finds "Geneviève Dupré",
"vanden broeck" finds "Van den Broeck") through the indexed `Contact.name_key`.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Model, Q
from django.utils.translation import gettext as _

from records.models import Contact, Invoice, NewsletterSubscription, WebInquiry
from records.normalise import (
    name_key,
    normalise_email,
    normalise_kbo,
    normalise_name,
    normalise_phone,
)

MAX_HITS_PER_MODEL = 50
SEARCHED_MODELS: tuple[type[Model], ...] = (Contact, Invoice, WebInquiry, NewsletterSubscription)


@dataclass
class SearchKeys:
    email: str = ""
    phone: str = ""
    name: str = ""
    kbo: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.email or self.phone or self.name or self.kbo)


@dataclass(frozen=True)
class Hit:
    model: type[Model]
    pk: int
    summary: str
    matched_on: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


def search_keys(*, email: str = "", phone: str = "", name: str = "", vat_or_kbo: str = ""):
    """Normalise what staff typed; a key that cannot be normalised is reported, not guessed."""
    keys = SearchKeys(email=normalise_email(email), name=" ".join(name.split()))
    if phone.strip():
        keys.phone = normalise_phone(phone) or ""
        if not keys.phone:
            keys.problems.append(_("The phone number is not valid."))
    if vat_or_kbo.strip():
        try:
            keys.kbo = normalise_kbo(vat_or_kbo)
        except ValidationError:
            keys.problems.append(_("The VAT or KBO number is not valid."))
    return keys


def _name_condition(name: str) -> Q:
    """Every (first, last) split of the typed name, in both orders, on the indexed
    `name_key` ("<last>|<first>", accents and case dropped); one word, or all of them, may
    also be the last name alone (a prefix of the key, still an index range)."""
    tokens = name.split()
    if not tokens:
        return Q(pk__in=[])
    keys = set()
    for cut in range(1, len(tokens)):
        head, tail = " ".join(tokens[:cut]), " ".join(tokens[cut:])
        keys.add(name_key(first_name=head, last_name=tail))
        keys.add(name_key(first_name=tail, last_name=head))
    return Q(name_key__in=sorted(keys)) | Q(name_key__startswith=normalise_name(name) + "|")


def _contact_condition(keys: SearchKeys) -> Q:
    condition = Q(pk__in=[])
    if keys.email:
        condition |= Q(email_normalised=keys.email)
    if keys.phone:
        condition |= Q(phone_e164=keys.phone) | Q(mobile_e164=keys.phone)
    if keys.kbo:
        condition |= Q(kbo_number=keys.kbo) | Q(vat_number="BE" + keys.kbo)
    if keys.name:
        condition |= _name_condition(keys.name)
    return condition


def _contact_matched_on(contact: Contact, keys: SearchKeys) -> tuple[str, ...]:
    found = []
    if keys.email and contact.email_normalised == keys.email:
        found.append("email")
    if keys.phone and keys.phone in (contact.phone_e164, contact.mobile_e164):
        found.append("phone")
    if keys.kbo and keys.kbo in (contact.kbo_number, contact.vat_number[2:]):
        found.append("vat/kbo")
    if keys.name and not found:
        found.append("name")
    return tuple(found)


def subject_search(keys: SearchKeys) -> list[Hit]:
    """Records that may belong to the subject: at most 4 + 1 indexed queries."""
    if keys.empty:
        return []
    hits: list[Hit] = []
    contacts = list(
        Contact.objects.filter(_contact_condition(keys))
        .only(
            "pk", "kind", "first_name", "last_name", "company", "email_normalised",
            "phone_e164", "mobile_e164", "kbo_number", "vat_number", "city",
        )
        .order_by("pk")[:MAX_HITS_PER_MODEL]
    )  # fmt: skip
    for contact in contacts:
        summary = f"{contact.get_kind_display()}: {contact} {contact.company} {contact.city}"
        hits.append(
            Hit(Contact, contact.pk, " ".join(summary.split()), _contact_matched_on(contact, keys))
        )
    if contacts:
        invoices = Invoice.objects.filter(contact_id__in=[c.pk for c in contacts]).only(
            "pk", "number", "issue_date", "contact_id"
        )
        for invoice in invoices.order_by("contact_id", "issue_date")[: MAX_HITS_PER_MODEL * 4]:
            summary = f"{invoice.number} ({invoice.issue_date:%Y-%m-%d})"
            hits.append(Hit(Invoice, invoice.pk, summary, ("contact",)))
    if keys.email:
        for inquiry in WebInquiry.objects.filter(email_normalised=keys.email).only(
            "pk", "received_at", "source"
        )[:MAX_HITS_PER_MODEL]:
            summary = f"{inquiry.get_source_display()} {inquiry.received_at:%Y-%m-%d}"
            hits.append(Hit(WebInquiry, inquiry.pk, summary, ("email",)))
        for subscription in NewsletterSubscription.objects.filter(email_normalised=keys.email).only(
            "pk", "consent_given_at", "withdrawn_at"
        )[:MAX_HITS_PER_MODEL]:
            state = "withdrawn" if subscription.withdrawn_at else "active"
            summary = f"newsletter since {subscription.consent_given_at:%Y-%m-%d} ({state})"
            hits.append(Hit(NewsletterSubscription, subscription.pk, summary, ("email",)))
    return hits
