"""The breach register's report for the GBA/APD (Art. 33(3), 33(5)) as PDF."""

from django.template.loader import render_to_string
from django.utils import timezone

from .models import Breach


def breach_report_html(*, breach: Breach) -> str:
    """The report as HTML: what the authority asks under Art. 33(3) plus the Art. 34 decision."""
    from registry.models import Organisation, SupervisoryAuthority

    now = timezone.now()
    return render_to_string(
        "breaches/breach_report.html",
        {
            "breach": breach,
            "now": now,
            "authority_status": breach.AuthorityStatus(breach.authority_status(now)).label,
            "subjects_status": breach.SubjectsStatus(breach.subjects_status()).label,
            "organisation": Organisation.objects.current(),
            "authority": SupervisoryAuthority.objects.current(),
            "updates": breach.authority_updates.all(),
            "client_notices": breach.client_notices.select_related("client"),
            "history": breach.history.select_related("history_user").order_by("history_date"),
        },
    )


def breach_report_pdf(*, breach: Breach) -> bytes:
    """The report rendered by WeasyPrint (no network: only inline CSS from the template)."""
    from weasyprint import HTML

    return HTML(string=breach_report_html(breach=breach)).write_pdf()
