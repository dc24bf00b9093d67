"""The public notice (公示) of a round's vote: drafted from the certified tally, then frozen."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rounds.models import NEVER, Round, Stage

from .exceptions import NoticeError

# A draft's own text may change while its round is in publicity; what it shows of the vote
# is copied from the certified tally and never changes (the services also refuse every edit
# once the notice is published).
WHILE_PUBLICITY = frozenset({Stage.PUBLICITY})


class PublicityNotice(models.Model):
    """One version of a round's 公示: the selected projects, turnout, period and how to object."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        SUPERSEDED = "superseded", _("已被新版本取代")

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="notices", verbose_name=_("轮次")
    )
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    projects = models.JSONField(
        _("入选项目"),
        default=list,
        blank=True,
        help_text=_("从确认的计票结果复制：排名、编号、项目、得票、预算、累计金额"),
    )
    rule_text = models.TextField(_("计票规则"))
    tie_note = models.TextField(_("平票与抽签"), blank=True)
    voters = models.PositiveIntegerField(_("投票人数"), default=0)
    valid_ballots = models.PositiveIntegerField(_("有效票"), default=0)
    total_fund = models.DecimalField(_("资金额度（元）"), max_digits=12, decimal_places=2)
    total_cost = models.DecimalField(_("入选项目合计（元）"), max_digits=12, decimal_places=2)
    tally_certified_at = models.DateTimeField(_("计票结果确认时间"))
    tally_digest = models.CharField(_("全部选票摘要（SHA-256）"), max_length=64)
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示结束"))
    objection_address = models.CharField(
        _("意见反馈地址"), max_length=200, blank=True, help_text=_("居民提出异议和意见的地点")
    )
    objection_phone = models.CharField(_("意见反馈电话"), max_length=50, blank=True)
    issuer = models.CharField(_("发布单位"), max_length=100)
    issued_on = models.DateField(_("发布日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status, default=Status.DRAFT, editable=False
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="published_notices",
        verbose_name=_("发布人"),
    )
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)

    editable_in = {
        "title": WHILE_PUBLICITY,
        "body": WHILE_PUBLICITY,
        "starts_on": WHILE_PUBLICITY,
        "ends_on": WHILE_PUBLICITY,
        "objection_address": WHILE_PUBLICITY,
        "objection_phone": WHILE_PUBLICITY,
        "issuer": WHILE_PUBLICITY,
        "issued_on": WHILE_PUBLICITY,
        "projects": NEVER,
        "rule_text": NEVER,
        "tie_note": NEVER,
        "voters": NEVER,
        "valid_ballots": NEVER,
    }

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["round", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["round", "version"], name="notice_version_once"),
            models.UniqueConstraint(
                fields=["round"],
                condition=models.Q(status="draft"),
                name="notice_one_draft_per_round",
            ),
            models.UniqueConstraint(
                fields=["round"],
                condition=models.Q(status="published"),
                name="notice_one_published_per_round",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="notice_period_ends_after_start",
                violation_error_message=_("公示结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(published_at__isnull=False),
                name="notice_published_has_time",
            ),
        ]

    def __str__(self):
        return _("%(title)s（第%(version)s版）") % {"title": self.title, "version": self.version}

    def save(self, *args, **kwargs):
        """Save a draft; of a notice already published, only its status may change (superseded)."""
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            superseding = (
                kwargs.get("update_fields") == ["status"]
                and stored == self.Status.PUBLISHED
                and self.status == self.Status.SUPERSEDED
            )
            if stored not in (None, self.Status.DRAFT) and not superseding:
                raise NoticeError(_("已发布的公示不能修改。"))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("notices:notice_version", args=[self.round_id, self.version])

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT
