"""Generate a year of realistic activity for demos and screenshots (never in production).

Requests of every type with open ones near and past their deadline, daily purge runs per
rule (one recent failure), breaches at each stage, and records spread over 13 months so some
have expired and others expire within 30 days. Deterministic (--seed); run seed_cdot first.
"""

import random
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from breaches.models import Breach

FIRST = ["Jan", "Marie", "Pieter", "Sofie", "Luc", "An", "Koen", "Els", "Tom", "Lotte", "Wim"]
LAST = ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens"]
CITIES = [("3190", "Boortmeerbeek"), ("3000", "Leuven"), ("2800", "Mechelen"), ("1000", "Brussel")]
# How often each request type comes in (an IT firm: access and marketing objections dominate).
REQUEST_MIX = {
    "access": 9,
    "objection": 6,
    "erasure": 5,
    "consent_withdrawal": 4,
    "rectification": 2,
    "portability": 1,
    "restriction": 1,
    "other": 1,
}
# Rows a real run of each rule typically purges (camera: hourly, 24 files a day per camera).
PURGE_VOLUME = {
    "camera-footage": (40, 60),
    "prospect": (0, 6),
    "loose-contact": (0, 3),
    "web-inquiry": (0, 5),
    "newsletter": (0, 2),
    "invoice": (0, 1),
    "customer-contact": (0, 1),
    "processor-data": (0, 1),
}


class Command(BaseCommand):
    help = "Generate demo activity: requests, purge runs, breaches and records (not in production)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=8, help="random seed (same data each run)")
        parser.add_argument("--requests", type=int, default=60)
        parser.add_argument("--contacts", type=int, default=400)

    def handle(self, *args, seed: int, requests: int, contacts: int, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo fills the database with invented people: not here.")
        from registry.models import RetentionRule

        if not RetentionRule.objects.exists():
            self.stdout.write("» the register is empty: running seed_cdot first")
            call_command("seed_cdot", stdout=self.stdout)
        rng = random.Random(seed)  # noqa: S311 - demo data, not security
        now = timezone.now()
        with transaction.atomic():
            made = {
                "requests": self._requests(rng, now, requests),
                "purge runs": self._purge_runs(rng, now),
                "breaches": self._breaches(now),
                "processor clients": self._processor_client(now),
                "cameras": self._camera(now),
                "contacts": self._contacts(rng, now, contacts),
                "camera recordings": self._footage(rng, now),
            }
        made["rules counted"] = self._backlogs()
        summary = ", ".join(f"{count} {what}" for what, count in made.items())
        self.stdout.write(self.style.SUCCESS(f"demo activity: {summary}"))

    # --- requests -----------------------------------------------------------------------------

    def _requests(self, rng: random.Random, now: datetime, count: int) -> int:
        from requests_app.deadlines import local_date
        from requests_app.models import DataSubjectRequest

        staff = get_user_model().objects.filter(is_staff=True).order_by("pk").first()
        kinds = [k for k, weight in REQUEST_MIX.items() for _ in range(weight)]
        created = 0
        for index in tqdm(range(count), desc="requests", disable=None):
            days_ago = (
                rng.randint(0, 360)
                if index >= 10
                else [2, 9, 17, 26, 29, 33, 36, 40, 55, 70][index]
            )
            received = now - timedelta(days=days_ago, hours=rng.randint(0, 9))
            due = local_date(received) + timedelta(days=30)
            open_request = index < 10
            extended = index in (8, 9)
            status = (
                rng.choice(["received", "identity_check", "in_progress"])
                if open_request
                else rng.choice(["completed"] * 8 + ["rejected", "withdrawn"])
            )
            first, last = rng.choice(FIRST), rng.choice(LAST)
            DataSubjectRequest.objects.create(
                type=rng.choice(kinds),
                status="extended" if extended else status,
                name=f"{first} {last}",
                email=f"{first}.{last}{index}@example.be".lower(),
                language=rng.choice(["nl", "nl", "nl", "fr", "en"]),
                submitted_at=received - timedelta(minutes=rng.randint(2, 300)),
                verification_used_at=received,
                received_at=received,
                due_on=due,
                extended_until=due + timedelta(days=60) if extended else None,
                extension_reason="Many records across systems (Art. 12(3))." if extended else "",
                assignee=staff if (open_request and index % 3) or not open_request else None,
                decision="" if open_request else rng.choice(["granted", "granted", "no_data"]),
                completed_at=None
                if open_request
                else received + timedelta(days=rng.randint(3, 25)),
            )
            created += 1
        return created

    # --- purge runs ---------------------------------------------------------------------------

    def _backlogs(self) -> int:
        """What each rule has waiting, counted as the hourly beat task would (the dashboard
        shows the last count, not a live one)."""
        from retention.services import rule_backlogs_refresh

        return rule_backlogs_refresh()

    def _purge_runs(self, rng: random.Random, now: datetime) -> int:
        from retention.models import PurgeRun
        from retention.targets import rule_codes

        rows = []
        codes = [c for c in rule_codes() if c in PURGE_VOLUME]
        for day in tqdm(range(365, 0, -1), desc="purge runs", disable=None):
            start = (now - timedelta(days=day)).replace(hour=2, minute=0, second=0, microsecond=0)
            for position, code in enumerate(codes):
                low, high = PURGE_VOLUME[code]
                started = start + timedelta(minutes=5 * position)
                deleted = rng.randint(low, high)
                if code == "prospect" and day % 30 < 2:
                    deleted += rng.randint(10, 40)  # a yearly fair's prospects expiring
                rows.append(
                    PurgeRun(
                        rule_code=code,
                        action="delete",
                        status="succeeded",
                        trigger="schedule",
                        started_at=started,
                        finished_at=started + timedelta(seconds=rng.randint(1, 20)),
                        progress_at=started,
                        now=started,
                        selected=deleted,
                        deleted=deleted,
                        skipped_held=1 if code == "invoice" else 0,
                        batches=1 if deleted else 0,
                        batch_size=500,
                        remaining_after=0,
                    )
                )
        # Last night the footage purge failed: the dashboard must say so.
        failed = (now - timedelta(hours=5)).replace(minute=7, second=0, microsecond=0)
        rows.append(
            PurgeRun(
                rule_code="camera-footage",
                action="delete",
                status="failed",
                trigger="schedule",
                started_at=failed,
                finished_at=failed + timedelta(seconds=2),
                progress_at=failed,
                now=failed,
                selected=48,
                error="OSError: [Errno 13] Permission denied on the footage volume",
                remaining_after=48,
            )
        )
        PurgeRun.objects.bulk_create(rows, batch_size=1000)
        return len(rows)

    # --- breaches -----------------------------------------------------------------------------

    def _breaches(self, now: datetime) -> int:
        from registry.models import DataCategory, ProcessingActivity

        activity = ProcessingActivity.objects.order_by("code").first()
        contact_data = DataCategory.objects.order_by("code").first()
        breaches = [
            Breach(
                title="Offerte met klantgegevens naar verkeerde klant gemaild",
                discovered_at=now - timedelta(hours=29),
                occurred_at=now - timedelta(hours=31),
                facts="A quote PDF with another customer's contact details and prices was sent "
                "to the wrong customer. The recipient reported it.",
                subjects_affected_approx=1,
                records_affected_approx=1,
                risk=Breach.Risk.UNASSESSED,
                consequences="Contact details and prices of one customer known to another.",
                measures="Recipient asked to delete the e-mail; confirmation awaited.",
            ),
            Breach(
                title="Laptop met prospectlijst gestolen uit wagen",
                discovered_at=now - timedelta(days=41),
                facts="A laptop with an export of the prospect list was stolen. The disk was "
                "encrypted with BitLocker; the key was not with the laptop.",
                subjects_affected_approx=350,
                risk=Breach.Risk.UNLIKELY,
                consequences="None expected: the disk is encrypted.",
                measures="Device wiped remotely; exports of the list now forbidden.",
                authority_not_notified_reason="Encrypted disk, key not compromised: unlikely to "
                "result in a risk (Art. 33(1)).",
                closed_at=now - timedelta(days=38),
            ),
            Breach(
                title="Phishing: mailbox van medewerker overgenomen",
                discovered_at=now - timedelta(days=120),
                facts="A staff mailbox was taken over for 3 hours through a phishing page.",
                subjects_affected_approx=120,
                risk=Breach.Risk.RISK,
                consequences="Customer e-mail addresses and correspondence could be read.",
                measures="Password reset, 2FA enforced for everyone, sessions revoked.",
                authority_notified_at=now - timedelta(days=118),
                authority_reference="DOS-2026-0815",
                closed_at=now - timedelta(days=90),
            ),
        ]
        for breach in breaches:
            breach.save()
            if activity:
                breach.activities.add(activity)
            if contact_data:
                breach.data_categories.add(contact_data)
        return len(breaches)

    # --- C-DOT as processor (issue 16) ---------------------------------------------------------

    def _processor_client(self, now: datetime) -> int:
        """One client controller with its sub-processor, agreement and datasets (Art. 30(2))."""
        from records.models import ProcessorDataset
        from registry.models import ProcessingCategory, ProcessorClient, Recipient

        datacenter, _ = Recipient.objects.get_or_create(
            code="demo-datacenter",
            defaults={
                # A company's name is the same in every language; the text is Dutch. Set per
                # language: a plain `name=` would land in whatever language happens to be active.
                "name_nl": "Datacenter Demo NV",
                "name_fr": "Datacenter Demo NV",
                "name_en": "Datacenter Demo NV",
                "kind": Recipient.Kind.SUB_PROCESSOR,
                "service_nl": "Colocatie van de back-upservers (demogegevens)",
                "country": "BE",
                "agreement_signed_on": (now - timedelta(days=700)).date(),
            },
        )
        client, created = ProcessorClient.objects.get_or_create(
            name="Bakkerij Demo BV",
            defaults={
                "contact_name": "An Demo",
                "contact_email": "privacy@bakkerij-demo.example",
                "services": "Mail hosting and off-site backup (demo data).",
                "transfers_outside_eea": False,
                "agreement_signed_on": (now - timedelta(days=400)).date(),
                "agreement_reference": "VWO-2025-014",
                "contract_start": (now - timedelta(days=400)).date(),
                "language": "nl",
            },
        )
        if not created:
            return 0
        client.processing_categories.set(
            ProcessingCategory.objects.filter(code__in=["mailhosting", "cloud-backup"])
        )
        client.sub_processors.set([datacenter])
        for service in (ProcessorDataset.Service.MAILHOSTING, ProcessorDataset.Service.BACKUP):
            ProcessorDataset.objects.create(client=client, service=service, location="demo")
        return 1

    def _camera(self, now: datetime) -> int:
        """One camera whose yearly police validation falls due within the month (demo)."""
        from registry.models import Camera, ProcessingActivity, RetentionRule

        activity = ProcessingActivity.objects.filter(code="F2").first()
        rule = RetentionRule.objects.filter(code="camera-footage").first()
        if activity is None or rule is None or Camera.objects.exists():
            return 0
        declared = (now - timedelta(days=350)).date()
        Camera.objects.create(
            activity=activity,
            location="Ingang, parking (demo)",
            mobility=Camera.Mobility.FIXED,
            setting=Camera.Setting.OUTDOOR,
            place=Camera.Place.PRIVATE_PUBLIC,
            purpose="Bescherming van goederen en personen tegen inbraak en vandalisme.",
            legal_basis="Gerechtvaardigd belang (art. 6.1.f AVG) binnen de camerawet.",
            retention_rule=rule,
            viewers="De zaakvoerder.",
            films_staff=True,
            pictogram_placed_on=declared,
            police_declared_on=declared,
            police_reference="DEMO-2025-001",
        )
        return 1

    # --- records ------------------------------------------------------------------------------

    def _contacts(self, rng: random.Random, now: datetime, count: int) -> int:
        from records.models import Contact

        rows = []
        for index in tqdm(range(count), desc="contacts", disable=None):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            postal, city = rng.choice(CITIES)
            kind = rng.choice(["prospect"] * 5 + ["loose"] * 2 + ["customer"])
            # Most prospects are younger than a year; a few are just past it (the purge will
            # take them tonight) and a band expires within the next 30 days.
            days = rng.choice([rng.randint(5, 330), rng.randint(336, 364), rng.randint(366, 372)])
            contact = Contact(
                kind=kind,
                first_name=first,
                last_name=last,
                company=rng.choice(["", "", f"{last} BV", f"{city} Tech"]),
                postal_code=postal,
                city=city,
                email=f"{first}.{last}.{index}@example.be".lower(),
                first_contact_at=now - timedelta(days=days, hours=rng.randint(0, 23)),
                last_activity_at=now - timedelta(days=rng.randint(0, days)),
                source=rng.choice(["fair", "website", "phone", "referral"]),
            )
            contact.fill_search_keys()
            rows.append(contact)
        Contact.objects.bulk_create(rows, batch_size=500)
        return len(rows)

    def _footage(self, rng: random.Random, now: datetime) -> int:
        from records.models import CameraRecording

        rows = []
        for hours in range(24 * 16, 0, -1):  # 16 days: two are past the 14-day rule
            start = (now - timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)
            for camera in ("entrance", "warehouse"):
                rows.append(
                    CameraRecording(
                        camera=camera,
                        file_path=f"demo/{camera}/{start:%Y%m%d-%H}.mp4",
                        recorded_from=start,
                        recorded_to=start + timedelta(hours=1),
                        size_bytes=rng.randint(150, 400) * 1024 * 1024,
                    )
                )
        CameraRecording.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        return len(rows)
