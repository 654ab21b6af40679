"""The staff side speaks the staff's language: complete catalogues, and every admin page in Dutch.

Two checks (issue 17, point 1):
- every project catalogue (each app's locale/ and the project's locale/) has a filled,
  non-fuzzy msgstr for every msgid in nl and fr;
- every admin page a Dutch privacy officer can open — the dashboard, each app index, and the
  changelist, add, change and history page of every registered model — shows no English words
  and no raw codes (``records.contact #1``, JSON, snake_case identifiers, UTC times).
"""

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from cdot_privacy.roles import PRIVACY_OFFICER, project_app_labels, roles_setup
from tests.conftest import module_transaction

ROOT = Path(settings.BASE_DIR)


# --- catalogues --------------------------------------------------------------------------------


def _catalogues() -> list[Path]:
    from django.apps import apps

    folders = [ROOT / "locale"]
    folders += [Path(apps.get_app_config(label).path) / "locale" for label in project_app_labels()]
    return sorted(
        po
        for folder in folders
        for language in ("nl", "fr")
        for po in (folder / language / "LC_MESSAGES").glob("*.po")
    )


def _entries(po: Path):
    """(msgid, msgstrs, fuzzy) per entry of a .po file; the header entry is left out."""
    entry: dict = {}
    key = None

    def flush():
        if entry.get("msgid") or entry.get("msgid_plural"):
            strs = [v for k, v in entry.items() if k.startswith("msgstr")]
            yield entry.get("msgid", ""), strs, entry.get("fuzzy", False)

    for line in po.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            yield from flush()
            entry, key = {}, None
        elif line.startswith("#,"):
            entry["fuzzy"] = "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += _unquote(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = _unquote(value)


def _unquote(text: str) -> str:
    return text.strip()[1:-1].encode("raw_unicode_escape").decode("unicode_escape")


def test_the_catalogues_are_found():
    found = {po.relative_to(ROOT).parts[0] for po in _catalogues()}
    assert {"locale", "registry", "records", "retention", "requests_app"} <= found


@pytest.mark.parametrize("po", _catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_nl_and_fr_message_is_translated_and_not_fuzzy(po: Path):
    problems = [
        f"{'fuzzy' if fuzzy else 'empty'}: {msgid[:70]!r}"
        for msgid, strs, fuzzy in _entries(po)
        if fuzzy or not strs or any(not s for s in strs)
    ]
    assert not problems, f"{po.relative_to(ROOT)}:\n" + "\n".join(problems)


def test_the_catalogue_check_sees_an_empty_and_a_fuzzy_entry(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: nl\\n"\n\n'
        'msgid "Done"\nmsgstr "Klaar"\n\n'
        'msgid "Empty"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Fuzzy"\nmsgstr "Vaag"\n\n'
        'msgid "one"\nmsgid_plural "many"\nmsgstr[0] "een"\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    entries = {msgid: (strs, fuzzy) for msgid, strs, fuzzy in _entries(po)}
    assert entries["Done"] == (["Klaar"], False)
    assert entries["Empty"] == ([""], False)
    assert entries["Fuzzy"][1] is True
    assert entries["one"][0] == ["een", ""]


# --- every admin page in Dutch -----------------------------------------------------------------

# English a Dutch officer must not meet (case-sensitive whole words; none of them is Dutch).
ENGLISH = [
    "Add", "Change", "Delete", "Save", "History", "Search", "Home", "Log out", "View site",
    "Welcome", "Date", "Time", "Name", "Description", "Active", "Number", "Actor", "Action",
    "Email", "Phone", "Reference", "Published", "Trigger", "Created", "Updated", "Yes", "None",
    "Unknown", "Today", "Rule", "Rules", "Purpose", "Records", "Requests", "Request",
    "Operations", "Periodic", "Solar", "Crontabs", "Intervals", "Access attempts", "TOTP",
    "Privacy statement", "Retention", "Recipient", "Recipients", "Legal", "Subject",
    "the", "and", "with", "from", "this", "for", "which", "when", "will", "not", "has", "you",
    "your", "are", "days", "years", "months", "hours", "normalised", "e164", "register change",
    "ago", "run", "runs", "left", "due", "page", "select", "selected",
]  # fmt: skip
ENGLISH_RE = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ENGLISH)) + r")(?![\w-])")
RAW = {
    "object reference (app.model #1)": re.compile(r"\b[a-z_]+\.[a-z_]+ #\d+"),
    "raw JSON": re.compile(r"[{\[]\s*\"[a-z_]+\"\s*:"),
    "snake_case code": re.compile(r"(?<![\w./@-])[a-z]+_[a-z_]+(?![\w./@-])"),
    "UTC time": re.compile(r"\bUTC\b"),
    "Python value": re.compile(r"\b(True|False|None)\b"),
}
# Data entered in the register is shown as entered; these are names, not UI words.
ALLOWED = re.compile(r"Google|Microsoft|Mailchimp|WordPress|Amazon")


class _VisibleText(HTMLParser):
    """Text a person reads: element text (not scripts, styles or textarea data) and the
    attributes shown or spoken (title, placeholder, aria-label, alt, button values).

    An element marked ``lang="en"`` (a technical error message kept as the system wrote it)
    declares its language and is left out; it may hold no further markup.
    """

    SKIP = {"script", "style", "textarea", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.foreign: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in self.SKIP or (tag != "html" and values.get("lang") == "en"):
            self.skipping += 1
            if tag not in self.SKIP:
                self.foreign.append(tag)
        for name in ("title", "placeholder", "aria-label", "alt"):
            if values.get(name):
                self.parts.append(values[name])
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if (tag in self.SKIP or (self.foreign and self.foreign[-1] == tag)) and self.skipping:
            self.skipping -= 1
            if tag not in self.SKIP:
                self.foreign.pop()

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.parts.append(data.strip())


# On a register entry's own page its code is shown read-only as its key, under the label "code".
OWN_CODE = re.compile(
    r'<div class="form-row field-code[^"]*">.*?<div class="readonly">[^<]*</div>', re.S
)


def visible_text(html: str) -> list[str]:
    html = OWN_CODE.sub("", html)
    parser = _VisibleText()
    parser.feed(html)
    return parser.parts


# English words of the list that are French words too ("Action", "Date", "page", "due").
ALSO_FRENCH = {"Action", "Date", "Description", "Active", "page", "due"}


def english_and_codes(
    html: str,
    extra_codes: set[str] = frozenset(),
    data: set[str] = frozenset(),
    language: str = "nl",
) -> list[str]:
    """Each piece of visible text that holds an English word or a raw code, with the reason.

    ``data``: values the staff entered (cookie names such as ``cdot_consent``), shown as such.
    """
    found = []
    for text in visible_text(html):
        cleaned = ALLOWED.sub("", text)
        for value in data:
            cleaned = cleaned.replace(value, "")
        for match in ENGLISH_RE.finditer(cleaned):
            if language == "fr" and match.group(0) in ALSO_FRENCH:
                continue
            found.append(f"English {match.group(0)!r} in {text[:90]!r}")
        for what, pattern in RAW.items():
            for match in pattern.finditer(cleaned):
                found.append(f"{what} {match.group(0)!r} in {text[:90]!r}")
        for code in extra_codes:
            # The substring test first: ~80 000 pieces of text per language, ~20 codes each.
            if code in cleaned and re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", cleaned):
                found.append(f"rule code {code!r} in {text[:90]!r}")
    return found


def test_the_page_check_finds_english_and_raw_codes():
    html = (
        "<h1>Wijzig contact</h1><script>var add = 'Add';</script>"
        "<th>Email normalised</th><td>records.contact #1</td>"
        '<td>{"status": "open"}</td><td title="Delete">x</td><td>camera-footage</td>'
        "<textarea>English text the officer typed</textarea><td>12:00 UTC</td>"
    )
    found = "\n".join(english_and_codes(html, {"camera-footage"}))
    for expected in ("'Email'", "'normalised'", "records.contact #1", "raw JSON", "'Delete'",
                     "camera-footage", "UTC"):  # fmt: skip
        assert expected in found
    assert "typed" not in found and "'Add'" not in found
    assert english_and_codes("<h1>Wijzig contact</h1><p>E-mailadres genormaliseerd</p>") == []


@pytest.fixture(params=["nl", "fr"])
def officer_language(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    """C-DOT's register, the beat schedule, demo activity and the roles, loaded once for the
    module in a transaction rolled back at its end (each test's changes are rolled back)."""
    with module_transaction(django_db_blocker):
        call_command("seed_cdot", stdout=io.StringIO())
        call_command("sync_periodic_tasks", stdout=io.StringIO())
        call_command("seed_demo", requests=12, contacts=40, stdout=io.StringIO())
        roles_setup()
        yield


@pytest.fixture
def dutch_officer(demo_site, db, client, settings, officer_language):
    settings.STAFF_2FA = False
    user = get_user_model().objects.create_user(
        "functionaris", "dpo@c-dot.be", "x" * 20, is_staff=True, first_name="An"
    )
    user.groups.add(Group.objects.get(name=PRIVACY_OFFICER))
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = officer_language
    return user


def _admin_pages(user) -> list[str]:
    """The dashboard, each app index, and every model page the user may open."""
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    pages = [reverse("admin:index")]
    app_labels = set()
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_permission(request):
            continue
        meta = model._meta
        app_labels.add(meta.app_label)
        prefix = f"admin:{meta.app_label}_{meta.model_name}"
        pages.append(reverse(f"{prefix}_changelist"))
        if model_admin.has_add_permission(request):
            pages.append(reverse(f"{prefix}_add"))
        obj = model_admin.get_queryset(request).order_by("-pk").first()
        if obj is not None:
            pages.append(reverse(f"{prefix}_change", args=[obj.pk]))
            pages.append(reverse(f"{prefix}_history", args=[obj.pk]))
    for label in sorted(app_labels):
        pages.append(reverse("admin:app_list", args=[label]))
    return pages + _extra_pages()


def _extra_pages() -> list[str]:
    """Staff pages outside the model pages: the purge preview and each rule's rows, run and
    (review rules) review queue, the register hints, the contact import, a contact's restrict
    and lift pages, and the review page of a statement draft (one is made here: a register
    change)."""
    from registry.models import RetentionRule
    from retention.targets import rule_codes
    from statement.services import statement_draft

    pages = [
        reverse("admin:retention_purgerun_preview"),
        reverse("admin:registry_hints"),
        reverse("admin:records_contact_import"),
    ]
    from records.models import Contact

    # Restrict and lift (Art. 18), through their services: a restricted contact if any.
    contact = Contact.objects.order_by("-restricted", "pk").first()
    pages.append(f"{reverse('admin:records_contact_restrict')}?ids={contact.pk}")
    pages.append(f"{reverse('admin:records_contact_lift_restriction')}?ids={contact.pk}")
    for rule in RetentionRule.objects.filter(code__in=rule_codes()).order_by("code"):
        pages.append(reverse("admin:retention_purgerun_rows", args=[rule.code]))
        pages.append(reverse("admin:retention_purgerun_run", args=[rule.code]))
        if rule.action == RetentionRule.Action.REVIEW:
            pages.append(reverse("admin:retention_purgerun_review", args=[rule.code]))
    rule = RetentionRule.objects.get_by_code("camera-footage")
    rule.period_value += 7
    rule.save()
    draft = statement_draft()
    assert draft is not None
    pages.append(reverse("admin:statement_statementversion_review", args=[draft.pk]))
    return pages


def _request_workflow_pages() -> list[str]:
    """Each step page of the request workflow once per (status, step), and the subject search
    with its results: the pages staff work in, outside the model pages."""
    from requests_app.admin import steps_for
    from requests_app.models import DataSubjectRequest

    pages, seen = [], set()
    for dsr in DataSubjectRequest.objects.order_by("pk"):
        for step, _label in steps_for(dsr):
            if (dsr.status, step) not in seen:
                seen.add((dsr.status, step))
                pages.append(reverse("admin:requests_app_step", args=[dsr.pk, step]))
    dsr = DataSubjectRequest.objects.filter(status__in=DataSubjectRequest.OPEN_STATUSES).first()
    search = reverse("admin:requests_app_search", args=[dsr.pk])
    pages.append(f"{search}?email={dsr.email}&name={dsr.name}&phone=&vat_or_kbo=")
    pages.append(f"{search}?email=&name=&phone=12&vat_or_kbo=BE12")  # keys it cannot read
    return pages


def _get_following(client, url: str, seen: dict):
    """GET the page, following redirects (a one-row list opens its row), each URL requested
    once: the row a list opens is on the list of pages too."""
    for _hop in range(5):
        if url not in seen:
            seen[url] = client.get(url)
        response = seen[url]
        if response.status_code not in {301, 302, 303, 307, 308}:
            return response
        url = response["Location"]
    return response


@pytest.mark.long(15)
@pytest.mark.slow  # A gate: ~200 pages per language
def test_every_admin_page_speaks_the_officers_language(client, dutch_officer, officer_language):
    """Every admin page, and the request workflow's step, search and refusal pages, as a
    privacy officer reading Dutch, then French."""
    from registry.models import Cookie
    from requests_app.models import DataSubjectRequest
    from retention.targets import rule_codes

    codes = {code for code in rule_codes() if "-" in code}
    cookie_names = set(Cookie.objects.values_list("name", flat=True))
    workflow = _request_workflow_pages()
    pages = _admin_pages(dutch_officer) + workflow
    assert len(pages) > 40, pages
    assert len(workflow) > 10, workflow
    problems = {}
    client.raise_request_exception = False  # a page that fails is reported with the others
    seen: dict = {}
    responses = [(url, _get_following(client, url, seen)) for url in pages]
    # A refused step: the complete form posted without its answer comes back with the error.
    dsr = DataSubjectRequest.objects.filter(status=DataSubjectRequest.Status.IN_PROGRESS).first()
    refused = reverse("admin:requests_app_step", args=[dsr.pk, "complete"])
    responses.append((f"POST {refused}", client.post(refused, {"decision": "granted"})))
    for url, response in responses:
        if response.status_code not in {200, 400}:
            problems[url] = [f"HTTP {response.status_code}"]
            continue
        html = response.content.decode()
        found = english_and_codes(html, codes, cookie_names, language=officer_language)
        if found:
            problems[url] = sorted(set(found))
    assert responses[-1][1].status_code == 400, "the refused step answers 400 with its form"
    report = "\n".join(f"{url}\n  " + "\n  ".join(found) for url, found in problems.items())
    assert not problems, (
        f"{len(problems)} of {len(responses)} pages not in {officer_language}:\n{report}"
    )


def test_technical_apps_are_for_superusers_only(client, dutch_officer):
    index = client.get(reverse("admin:index")).content.decode()
    from cdot_privacy.roles import OPERATIONS_APPS

    for app_label in OPERATIONS_APPS:
        assert f"/admin/{app_label}/" not in index
        assert client.get(f"/admin/{app_label}/").status_code in {302, 403, 404}
