import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from proposals.models import BallotItem, Relation
from rounds.models import BEFORE_VOTING, THROUGH_VOTING, Round
from rounds.wording import listing


class BallotStation(models.Model):
    """A ballot station (投票站), open on some days of the round's voting week."""

    class Mode(models.TextChoices):
        TABLET = "tablet", _("平板电子投票")
        PAPER = "paper", _("纸质选票")

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="stations", verbose_name=_("轮次")
    )
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    mode = models.CharField(_("投票方式"), max_length=10, choices=Mode, default=Mode.TABLET)
    opens_on = models.DateField(_("开放首日"))
    closes_on = models.DateField(_("开放末日"))
    opens_at = models.TimeField(_("每日开放时间"))
    closes_at = models.TimeField(_("每日关闭时间"))
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="StationOfficer",
        related_name="ballot_stations",
        verbose_name=_("工作人员"),
    )

    editable_in = {
        "round": BEFORE_VOTING,
        "mode": BEFORE_VOTING,
        **dict.fromkeys(
            ["name", "address", "opens_on", "closes_on", "opens_at", "closes_at"], THROUGH_VOTING
        ),
    }

    class Meta:
        verbose_name = _("投票站")
        verbose_name_plural = _("投票站")
        ordering = ["round", "name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="station_name_once"),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="station_closes_after_opening",
                violation_error_message=_("开放末日不能早于开放首日。"),
            ),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="station_hours_make_sense",
                violation_error_message=_("每日关闭时间要晚于开放时间。"),
            ),
        ]

    def __str__(self):
        return self.name


class StationOfficer(models.Model):
    """A user who records voters at a station, on every day it opens or on one day."""

    station = models.ForeignKey(BallotStation, on_delete=models.CASCADE, verbose_name=_("投票站"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("工作人员")
    )
    day = models.DateField(_("值班日期"), null=True, blank=True, help_text=_("不填表示每天"))

    editable_in = {"user": THROUGH_VOTING, "day": THROUGH_VOTING}

    class Meta:
        verbose_name = _("投票站工作人员")
        verbose_name_plural = _("投票站工作人员")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "user", "day"],
                condition=models.Q(day__isnull=False),
                name="officer_once_a_day",
            ),
            models.UniqueConstraint(
                fields=["station", "user"],
                condition=models.Q(day__isnull=True),
                name="officer_once_every_day",
            ),
        ]

    def __str__(self):
        return f"{self.station} · {self.user}"


class VoterMark(models.Model):
    """The register: who has voted in a round, by a keyed hash of their identity document.

    It holds no link to any ballot. The unique constraint makes a second vote impossible,
    whichever station or channel, whatever the timing.
    """

    # No index of its own: the unique (round, voter_key) index serves lookups by round.
    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="voter_marks", db_index=False
    )
    voter_key = models.CharField(max_length=64)
    station = models.ForeignKey(BallotStation, on_delete=models.PROTECT, related_name="voter_marks")
    relation = models.CharField(_("与社区的关系"), max_length=10, choices=Relation)
    day = models.DateField(_("投票日期"))

    class Meta:
        verbose_name = _("投票登记")
        verbose_name_plural = _("投票登记")
        constraints = [
            models.UniqueConstraint(fields=["round", "voter_key"], name="one_vote_per_person")
        ]

    def __str__(self):
        return f"{self.station} {self.day}"


class Ballot(models.Model):
    """One secret ballot: a random identifier, the station, and what it chose — nothing else."""

    class Kind(models.TextChoices):
        VALID = "valid", _("有效")
        BLANK = "blank", _("空白")
        INVALID = "invalid", _("无效")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: the (round, station) index serves lookups by round.
    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="ballots", db_index=False
    )
    station = models.ForeignKey(BallotStation, on_delete=models.PROTECT, related_name="ballots")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind, default=Kind.VALID)
    items = models.ManyToManyField(BallotItem, through="BallotChoice", related_name="ballots")

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")
        indexes = [models.Index(fields=["round", "station"])]

    def __str__(self):
        return str(self.id)


class BallotChoice(models.Model):
    """An item ticked on a ballot; keyed by (ballot, item), so no sequence reveals the order."""

    pk = models.CompositePrimaryKey("ballot", "item")
    # The primary key (ballot, item) serves lookups by ballot; item has its own index.
    ballot = models.ForeignKey(
        Ballot, on_delete=models.CASCADE, related_name="choices", db_index=False
    )
    item = models.ForeignKey(BallotItem, on_delete=models.PROTECT, related_name="choices")

    def __str__(self):
        return f"{self.ballot_id}: {self.item_id}"


class PaperCount(models.Model):
    """One officer's typing of a station's paper ballots, one ballot a line (e.g. "3,7,12")."""

    station = models.ForeignKey(
        BallotStation,
        on_delete=models.CASCADE,
        related_name="paper_counts",
        verbose_name=_("投票站"),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("录入人")
    )
    lines = models.TextField(_("选票内容"))
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("纸质选票录入")
        verbose_name_plural = _("纸质选票录入")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "officer"], name="paper_count_once_per_officer"
            )
        ]

    def __str__(self):
        return f"{self.station} · {self.officer}"


class StationClosure(models.Model):
    """The record of closing a station and counting its ballots (点票计票)."""

    station = models.OneToOneField(
        BallotStation, on_delete=models.PROTECT, related_name="closure", verbose_name=_("投票站")
    )
    voters_marked = models.PositiveIntegerField(_("登记投票人数"))
    ballots_counted = models.PositiveIntegerField(_("清点选票数"))
    not_voted = models.PositiveIntegerField(
        _("登记未投"),
        default=0,
        help_text=_("平板投票站登记后没有提交选票的人数"),
    )
    valid = models.PositiveIntegerField(_("有效票"))
    blank = models.PositiveIntegerField(_("空白票"))
    invalid = models.PositiveIntegerField(_("无效票"))
    explanation = models.TextField(_("差异说明"), blank=True)
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="station_closures", verbose_name=_("工作人员")
    )
    observers = models.TextField(
        _("监票人"), help_text=_("提议人、居民等在场监督人员，每行一人，按本人愿意公开的称呼填写")
    )
    digest = models.CharField(_("选票摘要（SHA-256）"), max_length=64)
    closed_at = models.DateTimeField(_("关闭时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("投票站关闭记录")
        verbose_name_plural = _("投票站关闭记录")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    ballots_counted=models.F("valid") + models.F("blank") + models.F("invalid")
                ),
                name="closure_counts_add_up",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    voters_marked=models.F("ballots_counted") + models.F("not_voted")
                )
                | ~models.Q(explanation=""),
                name="closure_difference_explained",
            ),
        ]

    def __str__(self):
        return f"{self.station} {self.closed_at:%Y-%m-%d %H:%M}"

    @property
    def difference(self):
        return self.ballots_counted - self.voters_marked


class Lot(models.Model):
    """A public lot (抽签) that ordered items still tied after the tie-breaks."""

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="lots", verbose_name=_("轮次")
    )
    order = models.JSONField(_("抽签结果（项目编码，先者优先）"))
    witnesses = models.TextField(_("见证人"))
    drawn_at = models.DateTimeField(_("抽签时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("记录人")
    )

    class Meta:
        verbose_name = _("公开抽签")
        verbose_name_plural = _("公开抽签")
        ordering = ["drawn_at"]

    def __str__(self):
        return listing(self.order)


class TallyRecord(models.Model):
    """What a certification of a round's vote froze: rule, inputs digest, result, who certified it."""

    rule = models.CharField(_("计票规则"), max_length=10)
    tie_break = models.CharField(_("平票处理"), max_length=10)
    min_vote_share = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    inputs_digest = models.CharField(_("全部选票摘要（SHA-256）"), max_length=64)
    result = models.JSONField(_("计票结果"))
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("确认人")
    )
    observers = models.TextField(_("监票人"))

    class Meta:
        abstract = True

    def __str__(self):
        return str(self.round)


class CertifiedTally(TallyRecord):
    """The frozen result of a round's vote, in force until a reopen past the count voids it."""

    round = models.OneToOneField(
        Round, on_delete=models.PROTECT, related_name="certified_tally", verbose_name=_("轮次")
    )
    certified_at = models.DateTimeField(_("确认时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("计票结果确认")
        verbose_name_plural = _("计票结果确认")


class VoidedTally(TallyRecord):
    """A certification voided by a reopen of its round, kept as it was with the reason."""

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="voided_tallies", verbose_name=_("轮次")
    )
    certified_at = models.DateTimeField(_("确认时间"))
    reason = models.TextField(_("作废原因"))
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="voided_tallies",
        verbose_name=_("作废人"),
    )
    voided_at = models.DateTimeField(_("作废时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已作废的计票结果")
        verbose_name_plural = _("已作废的计票结果")
        ordering = ["voided_at", "pk"]
