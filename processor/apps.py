from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessorConfig(AppConfig):
    name = "processor"
    verbose_name = _("C-DOT as processor (Art. 28)")
