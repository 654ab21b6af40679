"""Every admin URL, as every role (issue 19, finding 2): status and content.

The URLs are not listed by hand: the test walks the staff site's URL patterns (the site's own
and every registered model admin's), fills each parameter with a real object of the demo data
(or an id that does not exist), and requests it as a superuser, a privacy officer, a request
handler (staff), an auditor and a staff account without a role. For every response:

- never a server error;
- Django's own model views answer what ACCESS, a table written here from the roles' rules
  (cdot_privacy/roles.py), says each role may do with each model: list, change page and history
  200 with view (v), add page with add (a), delete page with delete (d), else 403; a 200 page is
  the page of that model, and a change page without change (c) has no save button;
- a custom view (preview, publish, ID copy, PDF …) answers 200 only to a role that may at least
  view the model it belongs to (by ACCESS); the views whose rule is stricter have their row in
  EXPECTED;
- a 403 shows nothing of the object.

The expectations never come from the admins' own has_*_permission methods: a wrong permission
there is a failure here. A new model admin fails the test until it has its row in ACCESS.
"""

import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import URLPattern

from cdot_privacy.roles import AUDITOR, PRIVACY_OFFICER, STAFF, roles_setup

pytestmark = pytest.mark.django_db

ROLES = ("superuser", PRIVACY_OFFICER, STAFF, AUDITOR, "no role")
MISSING = "999999"
STANDARD = {"changelist", "add", "change", "delete", "history"}

# What each role may do per model admin: v(iew), a(dd), c(hange), d(elete), in the order
# (superuser, privacy officer, staff, auditor, no role). From the roles (cdot_privacy/roles.py):
# the officer everything in the project's apps plus reading staff accounts; staff handle
# requests (view/add/change), read the register and the records, register a breach
# (Art. 33(1)); the auditor reads the project's apps; technical apps are for superusers only.
# Where even a superuser lacks a letter, the admin forbids it for everyone: logs and versions
# are append-only, records arrive through their own doors (API, import, scan), a singleton
# (organisation, authority, banner settings) is never deleted nor added twice, a request is
# closed, not deleted.
ACCESS = {
    "auth.group": ("vacd", "", "", "", ""),
    "auth.user": ("vacd", "v", "", "", ""),
    "axes.accessattempt": ("vcd", "", "", "", ""),
    "axes.accessfailurelog": ("vcd", "", "", "", ""),
    "axes.accesslog": ("vcd", "", "", "", ""),
    "breaches.breach": ("vacd", "vacd", "va", "v", ""),
    "cdot_privacy.twofactoraudit": ("v", "v", "", "v", ""),
    "consent.bannerversion": ("v", "v", "", "v", ""),
    "consent.consentrecord": ("v", "v", "", "v", ""),
    "django_celery_beat.clockedschedule": ("vacd", "", "", "", ""),
    "django_celery_beat.crontabschedule": ("vacd", "", "", "", ""),
    "django_celery_beat.intervalschedule": ("vacd", "", "", "", ""),
    "django_celery_beat.periodictask": ("vacd", "", "", "", ""),
    "django_celery_beat.solarschedule": ("vacd", "", "", "", ""),
    "otp_totp.totpdevice": ("vcd", "", "", "", ""),  # a lost phone's device is deleted
    "processor.dataend": ("vacd", "vacd", "", "v", ""),
    "processor.forwardedrequest": ("vacd", "vacd", "", "v", ""),
    "processor.subprocessorchange": ("vacd", "vacd", "", "v", ""),
    "records.apiauditentry": ("v", "v", "v", "v", ""),
    "records.apikey": ("vac", "vac", "v", "v", ""),  # revoked, never deleted (its audit)
    "records.camerarecording": ("vcd", "vcd", "v", "v", ""),
    "records.erasurereplay": ("v", "v", "v", "v", ""),  # a log of replay_erasures
    "records.contact": ("vacd", "vacd", "v", "v", ""),
    "records.invoice": ("vacd", "vacd", "v", "v", ""),
    "records.legalhold": ("vac", "vac", "v", "v", ""),  # released, never deleted
    "records.newslettersubscription": ("vacd", "vacd", "v", "v", ""),
    "records.processordataset": ("vacd", "vacd", "v", "v", ""),
    "records.suppressionentry": ("vad", "vad", "v", "v", ""),
    "records.webinquiry": ("vacd", "vacd", "v", "v", ""),
    "registry.camera": ("vacd", "vacd", "v", "v", ""),
    "registry.consentsettings": ("vc", "vc", "v", "v", ""),  # one row, seeded: no second
    "registry.cookie": ("vacd", "vacd", "v", "v", ""),
    "registry.datacategory": ("vacd", "vacd", "v", "v", ""),
    "registry.datasubjectcategory": ("vacd", "vacd", "v", "v", ""),
    "registry.dpiascreening": ("vacd", "vacd", "v", "v", ""),
    "registry.organisation": ("vc", "vc", "v", "v", ""),  # one row, seeded: no second
    "registry.processingactivity": ("vacd", "vacd", "v", "v", ""),
    "registry.processingcategory": ("vacd", "vacd", "v", "v", ""),
    "registry.processorclient": ("vacd", "vacd", "v", "v", ""),
    "registry.recipient": ("vacd", "vacd", "v", "v", ""),
    "registry.retentionrule": ("vacd", "vacd", "v", "v", ""),
    "registry.securitymeasure": ("vacd", "vacd", "v", "v", ""),
    "registry.supervisoryauthority": ("vc", "vc", "v", "v", ""),  # one row, seeded: no second
    "registry.transfer": ("vacd", "vacd", "v", "v", ""),
    "requests_app.answertemplate": ("vacd", "vacd", "vac", "v", ""),
    "requests_app.auditentry": ("v", "v", "v", "v", ""),
    "requests_app.datasubjectrequest": ("vac", "vac", "vac", "v", ""),
    "requests_app.processorwebhook": ("vacd", "vacd", "vac", "v", ""),
    "requests_app.webhookdelivery": ("vc", "vc", "vc", "v", ""),
    "retention.purgerun": ("v", "v", "", "v", ""),
    "retention.reviewdecision": ("v", "v", "", "v", ""),
    "statement.staffnoticeversion": ("v", "v", "", "v", ""),
    "statement.statementversion": ("v", "v", "", "v", ""),
}
VERB = {"changelist": "v", "change": "v", "history": "v", "add": "a", "delete": "d"}


def _may(model, role: str, letter: str) -> bool:
    return letter in ACCESS[model._meta.label_lower][ROLES.index(role)]


# Custom views whose rule is not "whoever may view the model": (superuser, officer, staff,
# auditor, no role). Filled from the findings.
EXPECTED = {
    # The purge preview: the purge-run permission (the list's), not any staff member.
    "retention_purgerun_preview": (200, 200, 403, 200, 403),
    # The requests CSV: officers and auditors (not request handlers: it lists everyone).
    "requests_app_export": (200, 200, 403, 200, 403),
    # Second factor of colleagues: officers issue enrolment codes, superusers reset backup codes.
    "otp_staff": (200, 200, 403, 403, 403),
    "otp_enrolment_code": (200, 200, 403, 403, 403),
    "otp_backup_codes_reset": (302, 403, 403, 403, 403),  # GET: back to the list
    # TOTP secrets are shown to nobody (OTP_ADMIN_HIDE_SENSITIVE_DATA and no pages).
    "otp_totp_totpdevice_config": (404, 404, 404, 404, 404),
    "otp_totp_totpdevice_qrcode": (404, 404, 404, 404, 404),
}


@pytest.fixture
def people(db):
    roles_setup()
    User = get_user_model()
    made = {}
    for role in ROLES:
        user = User.objects.create_user(
            role.lower().replace(" ", "-"),
            f"{role[:4].strip()}@c-dot.be",
            "x" * 20,
            is_staff=True,
            is_superuser=role == "superuser",
        )
        if role in (PRIVACY_OFFICER, STAFF, AUDITOR):
            user.groups.add(Group.objects.get(name=role))
        made[role] = user
    return made


def _first(model):
    if model._meta.label_lower == "statement.statementversion":
        # The pending draft, so that its review page (and publish) is requested too.
        drafts = model._default_manager.drafts()
        if drafts.exists():
            return drafts.order_by("pk").first()
    return model._default_manager.order_by("pk").first()


def _param_value(name: str, model, obj, people) -> str:
    """A value for one URL parameter: the object itself, a related object, or a missing id."""
    if name in {"object_id", "pk", "0"}:
        return str(obj.pk) if obj is not None else MISSING
    if name == "user_id":
        return str(people[STAFF].pk)
    if name == "1" and obj is not None and hasattr(obj, "history"):  # simple_history version
        version = obj.history.order_by("history_id").first()
        return str(version.history_id) if version else MISSING
    if name == "step":
        from requests_app.admin import STEPS

        return next(iter(STEPS))
    related = name.removesuffix("_id")
    for field in model._meta.get_fields():
        target = getattr(field, "related_model", None)
        if target is not None and related in {field.name, target._meta.model_name}:
            linked = _first(target)
            return str(linked.pk) if linked is not None else MISSING
    if related == "copy":
        from requests_app.models import IdCopy

        copy = IdCopy.objects.filter(request=obj).first() if obj is not None else None
        return str(copy.pk) if copy else MISSING
    if name == "consent_id" and obj is not None:
        return str(getattr(obj, "consent_id", MISSING))
    return MISSING


def _fill(pattern: URLPattern, values: dict[str, str]) -> str:
    route = str(pattern.pattern)
    if route.startswith("^"):  # a regex pattern: positional groups in order
        index = iter(range(10))
        return re.sub(r"\([^)]*\)", lambda _: values[str(next(index))], route.strip("^$"))
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)


def _params(pattern: URLPattern) -> list[str]:
    route = str(pattern.pattern)
    if route.startswith("^"):
        return [str(i) for i in range(len(re.findall(r"\([^)]*\)", route)))]
    return re.findall(r"<(?:\w+:)?(\w+)>", route)


def admin_urls(people) -> list[dict]:
    """Every concrete admin URL with what it belongs to."""
    urls = []
    prefix = "/admin/"
    for model, model_admin in admin.site._registry.items():
        obj = _first(model)
        base = f"{prefix}{model._meta.app_label}/{model._meta.model_name}/"
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or pattern.name is None:
                continue  # the legacy <object_id>/ redirect
            values = {name: _param_value(name, model, obj, people) for name in _params(pattern)}
            kind = pattern.name.rsplit("_", 1)[-1]
            standard = (
                pattern.name == f"{model._meta.app_label}_{model._meta.model_name}_{kind}"
                and kind in STANDARD
            )
            urls.append(
                {
                    "url": base + _fill(pattern, values),
                    "name": pattern.name,
                    "kind": kind if standard else "custom",
                    "model_admin": model_admin,
                    "obj": obj if MISSING not in values.values() else None,
                    "missing": MISSING in values.values(),
                }
            )
    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLPattern) and pattern.name in EXPECTED:
            values = {name: str(people[STAFF].pk) for name in _params(pattern)}
            urls.append(
                {
                    "url": prefix + _fill(pattern, values),
                    "name": pattern.name,
                    "kind": "custom",
                    "model_admin": None,
                    "obj": None,
                    "missing": False,
                }
            )
    for app_label in sorted({m._meta.app_label for m in admin.site._registry}):
        urls.append(
            {
                "url": f"{prefix}{app_label}/",
                "name": "app_list",
                "kind": "app_list",
                "app_label": app_label,
                "model_admin": None,
                "obj": None,
                "missing": False,
            }
        )
    return urls


def _expected(entry: dict, role: str) -> set[int] | None:
    """The statuses allowed for this role, or None: only 'no server error, no leak'."""
    if entry["name"] in EXPECTED:
        return {EXPECTED[entry["name"]][ROLES.index(role)]}
    kind = entry["kind"]
    if kind == "app_list":
        may = any(
            ACCESS[m._meta.label_lower][ROLES.index(role)]
            for m in admin.site._registry
            if m._meta.app_label == entry["app_label"]
        )
        return {200} if may else {404}
    model = entry["model_admin"].model
    if kind == "custom":
        if not _may(model, role, "v"):
            return {302, 403, 404, 405}  # anything but the page
        return None
    if entry["missing"] and kind == "history":
        # Django looks the object up before the permission ("does not exist": back to the
        # index); django-simple-history answers 404. Neither shows anything.
        return {302, 404}
    if not _may(model, role, VERB[kind]):
        return {403}
    if entry["missing"]:
        return {302}  # "does not exist": Django goes back to the index
    return {200}


@pytest.mark.slow  # ~1 300 requests: minutes on a shared machine; in every full run
def test_every_admin_url_as_every_role(client, people, settings):
    settings.STAFF_2FA = False
    call_command("seed_cdot", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", requests=8, contacts=12, stdout=open("/dev/null", "w"))  # noqa: SIM115
    _ensure_draft()
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ACCESS), "every model admin has its row in ACCESS, no more"
    urls = admin_urls(people)
    assert len(urls) > 150, "the walk found the model admins"
    assert any(e["name"] == "statement_statementversion_review" and e["obj"] for e in urls)
    client.raise_request_exception = False
    problems = []
    for role in ROLES:
        user = people[role]
        client.force_login(user)
        for entry in urls:
            response = client.get(entry["url"])
            status = response.status_code
            where = f"{role:>15} GET {entry['url']} ({entry['name']}) -> {status}"
            if status >= 500:
                problems.append(f"{where}: server error")
                continue
            allowed = _expected(entry, role)
            if (
                entry["kind"] == "changelist"
                and status == 302
                and response["Location"].startswith(entry["url"])
            ):
                # A one-row register object: its list opens the row itself, which must then
                # answer as the list would.
                response = client.get(response["Location"])
                status = response.status_code
                where += f" -> {status}"
            if allowed is not None and status not in allowed:
                problems.append(f"{where}: expected {sorted(allowed)}")
                continue
            html = "text/html" in response.get("Content-Type", "")
            if status == 200 and html and entry["kind"] in STANDARD:
                model = entry["model_admin"].model
                content = response.content.decode()
                if f"model-{model._meta.model_name}" not in content:
                    problems.append(f"{where}: not the {model._meta.model_name} page")
                if entry["kind"] == "change" and not _may(model, role, "c"):
                    if 'name="_save"' in content:
                        problems.append(f"{where}: a save button without change permission")
            if status == 403 and entry["obj"] is not None:
                shown = str(entry["obj"])
                if len(shown) > 3 and shown in response.content.decode():
                    problems.append(f"{where}: the 403 page shows the object ({shown!r})")
        client.logout()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def _ensure_draft():
    """A pending draft of the statement: rendered from the register, after one change to it
    when the register is what is published."""
    from registry.models import RetentionRule
    from statement.models import StatementVersion
    from statement.services import statement_draft

    if StatementVersion.objects.pending_draft() is None and statement_draft() is None:
        rule = RetentionRule.objects.order_by("pk").first()
        RetentionRule.objects.filter(pk=rule.pk).update(period_value=rule.period_value + 1)
        statement_draft()
    draft = StatementVersion.objects.pending_draft()
    assert draft is not None, "a draft to publish"
    return draft


def test_statement_publish_is_refused_to_staff_auditor_and_no_role(client, people, settings):
    """POSTs of the statement's staff actions (ask for a draft, publish one): officers only.

    A draft always exists, so the publish POST is always made; the officer's publish is the
    control that the same POST does publish."""
    from statement.models import StatementVersion

    settings.STAFF_2FA = False
    call_command("seed_cdot", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    draft = _ensure_draft()
    url = f"/admin/statement/statementversion/{draft.pk}/review/"
    published = StatementVersion.objects.exclude(pk=draft.pk).count()
    for role in (STAFF, AUDITOR, "no role"):
        client.force_login(people[role])
        assert client.post("/admin/statement/statementversion/draft/").status_code == 403, role
        assert client.post(url, {"publish": "1"}).status_code == 403, role
        client.logout()
    draft.refresh_from_db()
    assert draft.is_draft and StatementVersion.objects.exclude(pk=draft.pk).count() == published
    client.force_login(people[PRIVACY_OFFICER])
    assert client.post(url, {"publish": "1"}).status_code == 302
    draft.refresh_from_db()
    assert not draft.is_draft and draft.approved_by == people[PRIVACY_OFFICER]
