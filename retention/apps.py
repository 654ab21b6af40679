from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention and purge")

    def ready(self) -> None:
        # Tell the register which rules the purge applies by itself, so the statement calls
        # only those automatic (registry.automation; the register never imports this app).
        from registry.automation import purge_targets_register

        from .targets import automatic_rule_codes

        purge_targets_register(automatic_rule_codes())
