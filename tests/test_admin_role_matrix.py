"""Every admin URL, as every role (issue 19, finding 2): status and content.

The URLs are not listed by hand: the test walks the staff site's URL patterns (the site's own
and every registered model admin's), fills each parameter with a real object of the demo data
(or an id that does not exist), and requests it as a superuser, a privacy officer, a request
handler (staff), an auditor and a staff account without a role. For every response:

- never a server error;
- Django's own model views answer exactly what the model admin's permissions say (200 or 403),
  and a 200 page is the page of that model;
- a custom view (preview, publish, ID copy, PDF …) answers 200 only to a role that may at least
  view the model it belongs to; the views whose rule is stricter have their row in EXPECTED;
- a 403 shows nothing of the object.

A new admin view is covered the day it is added; one that needs a stricter rule than "may view
the model" gets its row in EXPECTED.
"""

import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import URLPattern

from cdot_privacy.roles import AUDITOR, PRIVACY_OFFICER, STAFF, roles_setup

pytestmark = pytest.mark.django_db

ROLES = ("superuser", PRIVACY_OFFICER, STAFF, AUDITOR, "no role")
MISSING = "999999"
STANDARD = {"changelist", "add", "change", "delete", "history"}

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
    try:
        return model._default_manager.order_by("pk").first()
    except Exception:  # noqa: BLE001 - a model whose default manager needs arguments
        return None


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


def _expected(entry: dict, role: str, user) -> set[int] | None:
    """The statuses allowed for this role, or None: only 'no server error, no leak'."""
    if entry["name"] in EXPECTED:
        return {EXPECTED[entry["name"]][ROLES.index(role)]}
    request = RequestFactory().get(entry["url"])
    request.user = user
    model_admin = entry["model_admin"]
    kind = entry["kind"]
    if kind == "app_list":
        may = any(
            ma.has_module_permission(request)
            and ma.get_model_perms(request)
            and any(ma.get_model_perms(request).values())
            for m, ma in admin.site._registry.items()
            if m._meta.app_label == entry["app_label"]
        )
        return {200} if may else {404}
    if kind == "custom":
        if not model_admin.has_view_or_change_permission(request):
            return {302, 403, 404, 405}  # anything but the page
        return None
    obj = entry["obj"]
    allowed = {
        "changelist": model_admin.has_view_or_change_permission(request),
        "add": model_admin.has_add_permission(request),
        "change": model_admin.has_view_or_change_permission(request, obj),
        "history": model_admin.has_view_or_change_permission(request, obj),
        "delete": model_admin.has_delete_permission(request, obj),
    }[kind]
    if entry["missing"] and kind == "history":
        # Django looks the object up before the permission ("does not exist": back to the
        # index); django-simple-history answers 404. Neither shows anything.
        return {302, 404}
    if not allowed:
        return {403}
    if entry["missing"]:
        # "does not exist": Django goes back to the index; django-simple-history answers 404.
        return {302, 404} if kind == "history" else {302}
    return {200}


@pytest.mark.slow  # ~1 300 requests: minutes on a shared machine; in every full run
def test_every_admin_url_as_every_role(client, people, settings):
    settings.STAFF_2FA = False
    call_command("seed_cdot", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", requests=8, contacts=12, stdout=open("/dev/null", "w"))  # noqa: SIM115
    urls = admin_urls(people)
    assert len(urls) > 150, "the walk found the model admins"
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
            allowed = _expected(entry, role, user)
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
                model_name = entry["model_admin"].model._meta.model_name
                if f"model-{model_name}" not in response.content.decode():
                    problems.append(f"{where}: not the {model_name} page")
            if status == 403 and entry["obj"] is not None:
                shown = str(entry["obj"])
                if len(shown) > 3 and shown in response.content.decode():
                    problems.append(f"{where}: the 403 page shows the object ({shown!r})")
        client.logout()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_statement_publish_is_refused_to_staff_auditor_and_no_role(client, people, settings):
    """POSTs of the statement's staff actions (ask for a draft, publish one): officers only."""
    from statement.models import StatementVersion

    settings.STAFF_2FA = False
    call_command("seed_cdot", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    before = StatementVersion.objects.count()
    for role in (STAFF, AUDITOR, "no role"):
        client.force_login(people[role])
        assert client.post("/admin/statement/statementversion/draft/").status_code == 403, role
        draft = StatementVersion.objects.order_by("-pk").first()
        if draft is not None:
            url = f"/admin/statement/statementversion/{draft.pk}/review/"
            assert client.post(url, {"publish": "1"}).status_code == 403, role
        client.logout()
    assert StatementVersion.objects.count() == before
