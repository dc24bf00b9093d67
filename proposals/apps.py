from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("项目提议")

    def ready(self):
        from . import guards  # noqa: F401  (registers the guards on entering `voting`)
