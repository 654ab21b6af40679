from django.apps import AppConfig


class CdotPrivacyConfig(AppConfig):
    name = "cdot_privacy"
    verbose_name = "Operations"
