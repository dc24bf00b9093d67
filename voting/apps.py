from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("居民投票")

    def ready(self):
        from . import guards, hooks  # noqa: F401  (register with the round's moves)
