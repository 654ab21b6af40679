from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatementConfig(AppConfig):
    """The public privacy statement: rendered from the register, versioned, served, archived."""

    name = "statement"
    verbose_name = _("Privacy statement")

    def ready(self) -> None:
        # A register change asks for a new statement soon after commit; the receivers only
        # enqueue (see statement.signals). The register itself knows nothing of this app.
        from registry.hints import check_add

        from . import signals
        from .hints import check_staff_notice

        signals.connect()
        # The register hints ask for the staff notice when the register outgrew it.
        check_add(check_staff_notice)
        # Its state remembers recent renders: forget them when templates or catalogues reload.
        from django.core.signals import setting_changed
        from django.utils.autoreload import file_changed

        from .staff_notice import staff_notice_rendered_forget

        uid = "statement.staff_notice_rendered_forget"
        setting_changed.connect(staff_notice_rendered_forget, dispatch_uid=uid)
        file_changed.connect(staff_notice_rendered_forget, dispatch_uid=uid)
