"""Replaying the erasure ledger after a restore (records/ledger.py; issue 19, finding 7).

``manage.py replay_erasures`` calls ``erasures_replay``: every erasure, withdrawal and
objection the ledger names is applied again to whatever the restored database brought back.
"""

import logging
from datetime import datetime
from functools import reduce
from operator import or_

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .deletion import RecordsDeleteRefused, records_delete
from .ledger import after_backup, ledger_read
from .models import Contact, NewsletterSubscription, SuppressionEntry
from .models_ledger import ErasureReplay
from .normalise import email_hashes
from .services import contact_erase_keeping_invoices

logger = logging.getLogger(__name__)


def _suppressed_by(address: str, hashes) -> bool:
    """Whether the ledger names this address, under the current SUPPRESSION_KEY or a fallback
    one (facts written before a key rotation)."""
    return any(digest in hashes for digest in email_hashes(address))


EFFECTS = ("erased", "minimised", "withdrawn", "opted_out", "suppressed", "refused")


def erasures_replay(
    *,
    since: datetime | None = None,
    now: datetime | None = None,
    progress=None,
    record_unchanged: bool = True,
) -> dict[str, int]:
    """Apply the ledger's facts again to the database; returns counts per effect.

    ``since``: when the restored backup was taken (its manifest's ``taken_at``). Facts about row
    ids are applied only when written after it (see ``_after_backup``); facts about addresses
    (keyed hashes) always. Idempotent: on a database that forgot nothing it changes nothing.
    Recorded as an ErasureReplay; with ``record_unchanged`` False (bootstrap at every start)
    only when it changed something.
    """
    now = now or timezone.now()
    tick = progress or (lambda: None)
    counts = {"facts": 0, "erased": 0, "minimised": 0, "withdrawn": 0, "opted_out": 0}
    counts |= {"suppressed": 0, "refused": 0, "skipped": 0}
    erased: dict[str, set] = {}
    minimised: set = set()
    opted_out_pks: set = set()
    suppressed: dict[str, str] = {}
    for fact in ledger_read():
        counts["facts"] += 1
        kind = fact.get("fact")
        if kind in {"erased", "minimised", "opted_out"} and not after_backup(fact, since):
            counts["skipped"] += 1
        elif kind == "erased":
            erased.setdefault(fact["model"], set()).add(fact["pk"])
        elif kind == "minimised":
            minimised.add(fact["pk"])
        elif kind == "opted_out":
            opted_out_pks.add(fact["pk"])
        elif kind == "suppressed" and fact.get("email"):
            suppressed.setdefault(fact["email"], fact.get("reason", "erasure"))
        tick()
    with transaction.atomic():
        for label, pks in erased.items():
            model = apps.get_model(label)
            present = list(model._default_manager.filter(pk__in=pks).values_list("pk", flat=True))
            for pk in present:
                try:
                    with transaction.atomic():
                        counts["erased"] += records_delete(model=model, pks=[pk], now=now)
                except RecordsDeleteRefused:
                    counts["refused"] += 1  # a hold set since: the dashboard shows it
        filled = reduce(or_, (~Q(**{f: ""}) for f in Contact.NOT_FOR_INVOICE_FIELDS))
        back = Contact.objects.filter(pk__in=minimised).filter(filled)
        counts["minimised"] = contact_erase_keeping_invoices(
            pks=list(back.values_list("pk", flat=True)), now=now
        )
        counts["opted_out"] = Contact.objects.filter(
            pk__in=opted_out_pks, marketing_opt_out=False
        ).update(marketing_opt_out=True)
        reasons = {c.value for c in SuppressionEntry.Reason}
        known = set(
            SuppressionEntry.objects.filter(email_hash__in=suppressed).values_list(
                "email_hash", flat=True
            )
        )
        missing = [
            SuppressionEntry(email_hash=h, reason=r if r in reasons else "erasure")
            for h, r in suppressed.items()
            if h not in known
        ]
        SuppressionEntry.objects.bulk_create(missing, ignore_conflicts=True)
        counts["suppressed"] = len(missing)
        if suppressed:
            active = NewsletterSubscription.objects.active().exclude(email_normalised="")
            ended = [
                pk
                for pk, address in active.values_list("pk", "email_normalised")
                if _suppressed_by(address, suppressed)
            ]
            counts["withdrawn"] = NewsletterSubscription.objects.filter(pk__in=ended).update(
                withdrawn_at=now
            )
            marketed = Contact.objects.filter(marketing_opt_out=False).exclude(email_normalised="")
            opted = [
                pk
                for pk, address in marketed.values_list("pk", "email_normalised")
                if _suppressed_by(address, suppressed)
            ]
            counts["opted_out"] += Contact.objects.filter(pk__in=opted).update(
                marketing_opt_out=True
            )
        changed = any(counts[effect] for effect in EFFECTS)
        if not (changed or record_unchanged):
            return counts
        ErasureReplay.objects.create(at=now, counts=counts)
    logger.info(
        "event=erasures_replayed %s", " ".join(f"{key}={value}" for key, value in counts.items())
    )
    return counts
