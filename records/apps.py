from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("Personal-data records")

    def ready(self) -> None:
        # The erasure ledger's rule is applied by this app's beat task (records.ledger), not by
        # a purge target: the statement may call its end automatic (registry.automation).
        from registry.automation import purge_targets_register

        from .ledger import LEDGER_RULE_CODE

        purge_targets_register([LEDGER_RULE_CODE])
