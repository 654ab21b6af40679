"""Staff roles as groups with permissions, built from app labels so later models are covered.

- privacy officer: everything in the project's apps (the beat schedules show on the dashboard
  as "what runs when"; the technical apps behind them — periodic tasks, lockouts, 2FA devices —
  are for superusers only);
- staff: handles data-subject requests (view/add/change), reads the register and the records,
  may register a breach it discovers (the 72 hours run from awareness, Art. 33(1));
- auditor: reads everything, changes nothing, never sees ID copies (data minimisation,
  Art. 5(1)(c): an auditor checks the process, not people's identity documents).
"""

from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

PRIVACY_OFFICER = "Privacy officer"
STAFF = "Staff"
AUDITOR = "Auditor"

# Third-party apps whose models are part of running the service: superusers only (issue 17).
OPERATIONS_APPS = ("django_celery_beat", "axes", "otp_totp", "otp_static")
# Models holding identity documents: only the privacy officer and request handlers see them.
ID_COPY_MODELS = ("idcopy",)


def project_app_labels() -> list[str]:
    """Apps whose code lives in this repository (registry, records, ... and any added later)."""
    base = Path(settings.BASE_DIR).resolve()
    return sorted(
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base)
        and not {".venv", "site-packages", "dist-packages"} & set(Path(config.path).parts)
    )


@dataclass(frozen=True)
class Role:
    name: str
    description: str

    def permissions(self) -> "list[Permission]":
        return list(_ROLE_QUERIES[self.name]().select_related("content_type"))


def _in_apps(labels) -> Q:
    return Q(content_type__app_label__in=list(labels))


def _verb(*verbs: str) -> Q:
    q = Q()
    for verb in verbs:
        q |= Q(codename__startswith=f"{verb}_")
    return q


def _id_copies() -> Q:
    return Q(content_type__app_label="requests_app", content_type__model__in=ID_COPY_MODELS)


def _officer():
    return Permission.objects.filter(
        _in_apps(project_app_labels())
        # Staff accounts, not the groups: a group's page lists Django's permission names,
        # stored in English (a superuser's tool).
        | Q(content_type__app_label="auth", codename__in=["view_user"])
    )


def _staff():
    return Permission.objects.filter(
        (Q(content_type__app_label="requests_app") & _verb("view", "add", "change"))
        | (_in_apps(["registry", "records"]) & _verb("view"))
        | Q(content_type__app_label="breaches", codename__in=["view_breach", "add_breach"])
    )


def _auditor():
    readable = _in_apps(project_app_labels()) & _verb("view", "export")
    return Permission.objects.filter(readable).exclude(_id_copies())


_ROLE_QUERIES = {PRIVACY_OFFICER: _officer, STAFF: _staff, AUDITOR: _auditor}

ROLES = [
    Role(PRIVACY_OFFICER, "everything: register, records, purges, requests, breaches"),
    Role(STAFF, "handle data-subject requests, read the register"),
    Role(AUDITOR, "read-only everything, no ID copies"),
]


@transaction.atomic
def roles_setup() -> dict[str, int]:
    """Create or update the groups so each holds exactly its role's permissions (idempotent)."""
    counts = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role.name)
        permissions = role.permissions()
        group.permissions.set(permissions)
        counts[role.name] = len(permissions)
    return counts
