"""Every admin URL, as every role (issue 19, finding 2): status and content.

The URLs are not listed by hand: the test walks the staff site's URL patterns (the site's own
and every registered model admin's), fills each parameter with a real object of the demo data
(or an id that does not exist), and requests it as a superuser, a privacy officer, a request
handler (staff), an auditor and a staff account without a role, each signed in the production
way (password and a verified second factor, STAFF_2FA on). For every response:

- never a server error;
- Django's own model views answer what ACCESS, a table written here from the roles' rules
  (cdot_privacy/roles.py), says each role may do with each model: list, change page and history
  200 with view (v), add page with add (a), delete page with delete (d), else 403; a 200 page is
  the page of that model, and a change page without change (c) has no save button;
- a custom view (preview, publish, ID copy, PDF …) answers 200 (404 for an object that does not
  exist) to a role that may view the model it belongs to (by ACCESS), or holds the letter
  CUSTOM names for it; to other roles anything but the page. The views whose rule is not a
  letter of their model have their row in EXPECTED;
- the site's own views (dashboard, 2FA pages, password change, autocomplete, JavaScript
  catalogue, "view on site", login, logout, the catch-all) answer what their row in EXPECTED
  says; the dashboard shows each role exactly the sections of the models it may view;
- a 403 shows nothing of the object.

The expectations never come from the admins' own has_*_permission methods: a wrong permission
there is a failure here. A new model admin fails test_every_model_admin_and_staff_view_has_its_row
until it has its row in ACCESS, a new view of the staff site until it has its row in EXPECTED.

One test per role (xdist may run them on different workers); the accounts, the demo data and
the list of URLs are made once per module, in a transaction rolled back at its end.
"""

import io
import re

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import override_settings
from django.urls import URLPattern
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cdot_privacy.roles import AUDITOR, PRIVACY_OFFICER, STAFF, roles_setup
from tests.conftest import module_transaction

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


# Custom views that need more than viewing their model: the letter of ACCESS they need.
CUSTOM = {
    "auth_user_password_change": "c",  # setting a colleague's password changes the account
    "records_contact_import": "a",  # an import adds contacts
    # Handling a request (its steps, the search of the records, a rectification) changes it;
    # the auditor reads, changes nothing.
    "requests_app_step": "c",
    "requests_app_search": "c",
    "requests_app_rectify": "c",
    # Restricting processing (Art. 18) and lifting it change the contact.
    "records_contact_restrict": "c",
    "records_contact_lift_restriction": "c",
}

# Custom views whose rule is not a letter of their model, and the staff site's own views:
# (superuser, officer, staff, auditor, no role). Filled from the findings and the roles.
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
    # Running a purge deletes rows: the officer's (and a superuser's), never read-only roles.
    "retention_purgerun_run": (200, 200, 403, 403, 403),  # GET: the confirmation page
    # ID copies: the officer and request handlers; never the auditor (roles.py, Art. 5(1)(c)).
    "requests_app_id_copy": (200, 200, 200, 403, 403),
    # POST-only actions: a GET (a link, a prefetch) does nothing, for anyone.
    "statement_statementversion_draft": (405, 405, 405, 405, 405),
    "statement_staffnoticeversion_publish": (405, 405, 405, 405, 405),
    # --- the staff site's own views -------------------------------------------------------
    # The dashboard: every staff member has one; what it shows is checked per role below.
    "index": (200, 200, 200, 200, 200),
    # Signing in, out and the second factor are every staff member's own business.
    "login": (302, 302, 302, 302, 302),  # already signed in: to the dashboard
    "logout": (405, 405, 405, 405, 405),  # POST only: a link or an image cannot sign out
    "otp_verify": (200, 200, 200, 200, 200),
    "otp_setup": (200, 200, 200, 200, 200),  # verified: may enrol a new phone
    "password_change": (200, 200, 200, 200, 200),
    "password_change_done": (200, 200, 200, 200, 200),
    "jsi18n": (200, 200, 200, 200, 200),
    # Without naming a field nothing is looked up; with one, the target model's view (ACCESS).
    "autocomplete": (403, 403, 403, 403, 403),
    # No model of the staff site has a public page: "view on site" redirects nobody anywhere.
    "view_on_site": (404, 404, 404, 404, 404),
    "catch_all": (404, 404, 404, 404, 404),  # an unknown staff URL
}

# The dashboard's sections and the model each one reports on: a role sees a section exactly
# when it may view that model (ACCESS); "register" is the whole register (any registry model).
DASHBOARD = {
    "requests": "requests_app.datasubjectrequest",
    "requests_chart": "requests_app.datasubjectrequest",
    "webhooks": "requests_app.webhookdelivery",
    "breaches": "breaches.breach",
    "purges": "retention.purgerun",
    "expiry": "retention.purgerun",
    "schedule": "retention.purgerun",
    "purge_chart": "retention.purgerun",
    "restrictions": "records.contact",
    "consent_chart": "consent.consentrecord",
    "statement": "statement.statementversion",
    "screenings": "registry.dpiascreening",
    "cameras": "registry.camera",
    "register": "registry.processingactivity",
}
# Client notices of a breach (an inline of the breach, no admin of its own): the officer and
# the auditor; staff only register breaches (roles.py).
DASHBOARD_ROLES = {"client_notices": (True, True, False, True, False)}
# Templates of the site's own 200 pages: the page is the one meant, not a fallback.
TEMPLATES = {
    "index": "admin/index.html",
    "otp_verify": "cdot_privacy/otp_verify.html",
    "otp_setup": "cdot_privacy/otp_setup.html",
    "password_change": "registration/password_change_form.html",
    "password_change_done": "registration/password_change_done.html",
}


def _make_people() -> dict:
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


@pytest.fixture(scope="module")
def staff_accounts(django_db_setup, django_db_blocker):
    """The roles and one account per role, made once for the module in a transaction rolled
    back at its end (each test's own changes are rolled back after it)."""
    with module_transaction(django_db_blocker):
        yield _make_people()


@pytest.fixture
def people(staff_accounts, db):
    return staff_accounts


@pytest.fixture(scope="module")
def walk(staff_accounts, django_db_blocker, tmp_path_factory):
    """C-DOT's register and the demo data (a pending statement draft, an ID copy on a request
    in the workflow), loaded once for the module inside `staff_accounts`' transaction, and the
    admin URLs walked over them. Each role's test requests the same URLs."""
    private = override_settings(PRIVATE_STORAGE_DIR=tmp_path_factory.mktemp("private"))
    private.enable()
    try:
        with django_db_blocker.unblock():
            call_command("seed_cdot", verbosity=0, stdout=io.StringIO())
            call_command("seed_demo", requests=8, contacts=12, stdout=io.StringIO())
            _ensure_draft()
            from requests_app.models import DataSubjectRequest

            _id_copy_for(_first(DataSubjectRequest))
            for user in staff_accounts.values():  # the phones are walked too (otp_totp)
                TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
            urls = admin_urls(staff_accounts)
        yield urls
    finally:
        private.disable()


def _first(model):
    if model._meta.label_lower == "statement.statementversion":
        # The pending draft, so that its review page (and publish) is requested too.
        drafts = model._default_manager.drafts()
        if drafts.exists():
            return drafts.order_by("pk").first()
    return model._default_manager.order_by("pk").first()


def _param_value(name: str, model, obj, people, view: str) -> str:
    """A value for one URL parameter: the object itself, a related object, or a missing id."""
    if name in {"object_id", "pk", "0", "id"}:
        return str(obj.pk) if obj is not None else MISSING
    if name == "user_id":
        return str(people[STAFF].pk)
    if name == "1" and obj is not None and hasattr(obj, "history"):  # simple_history version
        version = obj.history.order_by("history_id").first()
        return str(version.history_id) if version else MISSING
    if name == "step":
        from requests_app.admin import STEPS

        return next(iter(STEPS))
    if name == "code":  # a retention rule: a review rule for the review queue
        from registry.models import RetentionRule

        rules = RetentionRule.objects.order_by("pk")
        review = RetentionRule.Action.REVIEW
        rule = (rules.filter(action=review) if view.endswith("_review") else rules).first()
        return rule.code if rule is not None else MISSING
    if name == "model_name":  # a searched model whose records a request may rectify
        return "contact"
    if name == "language":
        return settings.LANGUAGE_CODE
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


def _entry(url: str, name: str, kind: str = "custom", **more) -> dict:
    return {
        "url": url,
        "name": name,
        "kind": kind,
        "model_admin": None,
        "obj": None,
        "missing": False,
        **more,
    }


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
            values = {
                name: _param_value(name, model, obj, people, pattern.name)
                for name in _params(pattern)
            }
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
    urls += site_urls(people)
    for app_label in sorted({m._meta.app_label for m in admin.site._registry}):
        urls.append(_entry(f"{prefix}{app_label}/", "app_list", "app_list", app_label=app_label))
    return urls


def site_urls(people) -> list[dict]:
    """The staff site's own views (every pattern that is not a model admin's)."""
    prefix = "/admin/"
    urls = []
    for pattern in admin.site.get_urls():
        if not isinstance(pattern, URLPattern) or pattern.name == "app_list":
            continue  # a model admin's URLs (walked above), the app index (walked below)
        name = pattern.name or "catch_all"
        assert name in EXPECTED, f"the staff site's {pattern.pattern} has its row in EXPECTED"
        if name == "catch_all":
            urls.append(_entry(f"{prefix}no-such-page/", name))
        elif name == "view_on_site":
            # Every model with a row: none has a public page to send anyone to.
            for model in admin.site._registry:
                obj = _first(model)
                if obj is not None:
                    ct = ContentType.objects.get_for_model(model)
                    urls.append(_entry(f"{prefix}r/{ct.pk}/{obj.pk}/", name))
        elif name == "autocomplete":
            urls.append(_entry(f"{prefix}autocomplete/", name))
            urls += _autocomplete_urls(prefix)
        else:
            values = {param: str(people[STAFF].pk) for param in _params(pattern)}
            urls.append(_entry(prefix + _fill(pattern, values), name))
    return urls


def _autocomplete_urls(prefix: str) -> list[dict]:
    """One search per autocomplete field of the site: answered to whoever may view the target."""
    urls = []
    for model, model_admin in admin.site._registry.items():
        for field_name in model_admin.autocomplete_fields:
            target = model._meta.get_field(field_name).related_model
            query = (
                f"app_label={model._meta.app_label}&model_name={model._meta.model_name}"
                f"&field_name={field_name}&term="
            )
            urls.append(_entry(f"{prefix}autocomplete/?{query}", "autocomplete", target=target))
    assert urls, "the site has an autocomplete field to search"
    return urls


def _expected(entry: dict, role: str) -> set[int]:
    """The statuses allowed for this role."""
    if "target" in entry:  # an autocomplete search: the target model's view (ACCESS)
        return {200} if _may(entry["target"], role, "v") else {403}
    if entry["name"] in EXPECTED:
        status = EXPECTED[entry["name"]][ROLES.index(role)]
        return {404} if status == 200 and entry["missing"] else {status}
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
        if not _may(model, role, CUSTOM.get(entry["name"], "v")):
            return {302, 403, 404, 405}  # anything but the page
        return {404} if entry["missing"] else {200}
    if entry["missing"] and kind == "history":
        # Django looks the object up before the permission ("does not exist": back to the
        # index); django-simple-history answers 404. Neither shows anything.
        return {302, 404}
    if not _may(model, role, VERB[kind]):
        return {403}
    if entry["missing"]:
        return {302}  # "does not exist": Django goes back to the index
    return {200}


def _sign_in(client, user) -> None:
    """Password and the authenticator app's code, as staff sign in (STAFF_2FA on)."""
    client.force_login(user)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    response = client.post("/admin/2fa/", {"token": f"{code:06d}", "next": "/admin/"})
    assert response.status_code == 302, f"{user}: second factor verified"


def _id_copy_for(dsr) -> None:
    """An ID copy on a request in the workflow, so its download is requested too."""
    from requests_app.models import DataSubjectRequest, IdCopy

    assert DataSubjectRequest.objects.verified().filter(pk=dsr.pk).exists()
    copy = IdCopy.objects.create(
        request=dsr, stored_name="matrix-id.png", content_type="image/png", size_bytes=4
    )
    copy.path.parent.mkdir(parents=True, exist_ok=True)
    copy.path.write_bytes(b"ID-1")


def _site_page_problems(entry: dict, role: str, response) -> list[str]:
    """A 200 of the site's own views is the page meant, showing what the role may see."""
    name = entry["name"]
    problems = []
    if name in TEMPLATES and TEMPLATES[name] not in [t.name for t in response.templates]:
        problems.append(f"not the page {TEMPLATES[name]}")
    if name == "index":
        index = ROLES.index(role)
        shown = set(response.context["dashboard"])
        may = {key for key, label in DASHBOARD.items() if ACCESS[label][index].count("v")}
        may |= {key for key, roles in DASHBOARD_ROLES.items() if roles[index]}
        if shown != may:
            problems.append(f"dashboard sections {sorted(shown)}, expected {sorted(may)}")
        apps = {app["app_label"] for app in response.context["app_list"]}
        listed = {label.split(".")[0] for label, letters in ACCESS.items() if letters[index]}
        if apps != listed:
            problems.append(f"dashboard apps {sorted(apps)}, expected {sorted(listed)}")
    if name == "autocomplete" and "results" not in response.json():
        problems.append("not an autocomplete answer")
    if name == "jsi18n" and "javascript" not in response["Content-Type"]:
        problems.append("not the JavaScript catalogue")
    return problems


def test_every_model_admin_and_staff_view_has_its_row():
    """A new model admin fails until it has its row in ACCESS, a new view of the staff site
    until it has its row in EXPECTED (checked once here, not per role); the rows name views
    and models that exist."""
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ACCESS), "every model admin has its row in ACCESS, no more"
    site_names = {
        pattern.name or "catch_all"
        for pattern in admin.site.get_urls()
        if isinstance(pattern, URLPattern) and pattern.name != "app_list"
    }
    missing = site_names - set(EXPECTED)
    assert not missing, f"the staff site's views {sorted(missing)} have their row in EXPECTED"
    assert set(DASHBOARD.values()) <= set(ACCESS)


@pytest.mark.slow  # builds the demo data the role tests walk
def test_the_walk_reaches_every_view(walk):
    """The walk found the model admins, a statement draft to review and an ID copy."""
    assert len(walk) > 150, "the walk found the model admins"
    assert any(e["name"] == "statement_statementversion_review" and e["obj"] for e in walk)
    assert any(e["name"] == "requests_app_id_copy" and e["obj"] for e in walk)
    assert {e["name"] for e in walk} >= set(EXPECTED) - {"app_list"}


@pytest.mark.long(12)
@pytest.mark.slow  # ~360 requests per role: one test per role, so xdist can spread them
@pytest.mark.parametrize("role", ROLES)
def test_every_admin_url_as_every_role(role, walk, client, people, settings):
    settings.STAFF_2FA = True  # production: every role signs in with its second factor
    urls = walk
    client.raise_request_exception = False
    problems = []
    _sign_in(client, people[role])
    followed = {}  # pages opened by a redirect, which are on the walk too: requested once
    for entry in urls:
        response = followed.pop(entry["url"], None)
        if response is None:
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
            location = response["Location"]
            response = followed[location] = client.get(location)
            status = response.status_code
            where += f" -> {status}"
        if status not in allowed:
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
        if status == 200 and entry["model_admin"] is None:
            problems += [f"{where}: {p}" for p in _site_page_problems(entry, role, response)]
        if status == 403 and entry["obj"] is not None:
            shown = str(entry["obj"])
            if len(shown) > 3 and shown in response.content.decode():
                problems.append(f"{where}: the 403 page shows the object ({shown!r})")
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
    # Signed in without a second factor: the role matrix's phones (module data, when its
    # tests ran first) are not this test's subject; the deletion is rolled back after it.
    TOTPDevice.objects.filter(user__in=people.values()).delete()
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
