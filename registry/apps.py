from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Register of processing activities")

    def ready(self) -> None:
        # A register change publishes the privacy statement soon after commit (issue 5).
        from . import admin_statement, statement_signals  # noqa: F401 - registers the admin

        statement_signals.connect()
