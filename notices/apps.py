from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("公示与感谢信")

    def ready(self):
        from . import guards, hooks  # noqa: F401  (register with the round's moves)
