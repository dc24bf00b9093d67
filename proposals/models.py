import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rounds.models import BEFORE_VOTING, NEVER, Compound, Department, Round, Stage, mask_name


class Category(models.TextChoices):
    """The five proposal categories of the Chengdu practice."""

    REMEDIATION = "remediation", _("整治")
    CONSTRUCTION = "construction", _("建设")
    PUBLIC_SAFETY = "public_safety", _("公共安全")
    COMMUNITY_SERVICES = "community_services", _("社区服务")
    SELF_GOVERNANCE = "self_governance", _("自治共治")


class Relation(models.TextChoices):
    """How a resident belongs to the community: eligibility is not by 户籍."""

    LIVES = "lives", _("在本社区居住")
    WORKS = "works", _("在本社区工作")
    STUDIES = "studies", _("在本社区学习")


class Source(models.TextChoices):
    ONLINE = "online", _("网上提议")
    PROPOSAL_POINT = "proposal_point", _("项目提议点")
    MEETING = "meeting", _("座谈会·议事会")
    ORGANISATION = "organisation", _("单位组织提议")


class Status(models.TextChoices):
    """Where a proposal stands; the last seven are its outcomes."""

    SUBMITTED = "submitted", _("已提交，待筛选")
    SCREENED_IN = "screened_in", _("通过七不入筛选，待协商")
    EXCLUDED = "excluded", _("七不入筛选未通过")
    MERGED = "merged", _("已合并到其他提议")
    NOT_ON_BALLOT = "not_on_ballot", _("经邻里圆桌会协商未入库")
    ON_BALLOT = "on_ballot", _("已入项目库")
    SELECTED = "selected", _("投票入选")
    NOT_SELECTED = "not_selected", _("投票未入选")
    DEFERRED = "deferred", _("优先纳入下一轮")


OPEN_STATUSES = [Status.SUBMITTED, Status.SCREENED_IN]


class TrackingCounter(models.Model):
    """The last tracking number handed out in a year (WS-2026-0042)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class StatusLookupThrottle(models.Model):
    """The status-page guesses counted for one client address (a keyed hash) since ``since``."""

    address_key = models.CharField(max_length=64, unique=True)
    guesses = models.PositiveIntegerField(default=0)
    since = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.address_key[:8]}: {self.guesses}"


# What a proposal says, as its proposer fills it in: who proposes, and the project.
PROPOSER_FIELDS = ["proposer_name", "phone", "relation", "organisation"]
PROJECT_FIELDS = [
    "title",
    "category",
    "compound",
    "location",
    "description",
    "beneficiaries",
    "estimated_cost",
]


class Proposal(models.Model):
    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("轮次")
    )
    tracking_code = models.CharField(_("查询码"), max_length=20, unique=True, editable=False)
    source = models.CharField(_("来源"), max_length=20, choices=Source, default=Source.ONLINE)
    proposer_name = models.CharField(_("提议人姓名"), max_length=50)
    phone = models.CharField(_("手机号码"), max_length=11)
    relation = models.CharField(_("与社区的关系"), max_length=10, choices=Relation)
    organisation = models.CharField(
        _("所在单位或组织"),
        max_length=100,
        blank=True,
        help_text=_("以社区内单位、企业、社会组织名义提议时填写"),
    )
    title = models.CharField(_("项目名称"), max_length=60)
    category = models.CharField(_("类别"), max_length=20, choices=Category)
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("所在小区")
    )
    location = models.CharField(_("具体位置"), max_length=200)
    description = models.TextField(_("要做什么、为什么"), max_length=2000)
    beneficiaries = models.CharField(_("受益人群"), max_length=200)
    estimated_cost = models.DecimalField(
        _("估算费用（元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, _("估算费用不能为负数。"))],
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status, default=Status.SUBMITTED, editable=False
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        editable=False,
        verbose_name=_("合并到"),
    )
    ballot_item = models.ForeignKey(
        "BallotItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        editable=False,
        verbose_name=_("项目库条目"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("负责估算的职能部门"),
    )
    public_note = models.TextField(_("公开说明"), blank=True, editable=False)
    submission_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    submitted_from = models.CharField(max_length=64, blank=True, editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="entered_proposals",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    editable_in = {
        "round": NEVER,
        **dict.fromkeys(
            ["source", *PROPOSER_FIELDS, *PROJECT_FIELDS, "department"], BEFORE_VOTING
        ),
    }

    class Meta:
        verbose_name = _("项目提议")
        verbose_name_plural = _("项目提议")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["phone", "created_at"]),
            models.Index(fields=["submitted_from", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="merged", merged_into__isnull=False)
                | (~models.Q(status="merged") & models.Q(merged_into__isnull=True)),
                name="proposal_merged_iff_merged_into",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["on_ballot", "selected", "not_selected"], ballot_item__isnull=False
                )
                | (
                    ~models.Q(status__in=["on_ballot", "selected", "not_selected"])
                    & models.Q(ballot_item__isnull=True)
                ),
                name="proposal_on_ballot_iff_ballot_item",
            ),
            models.CheckConstraint(
                condition=models.Q(estimated_cost__isnull=True) | models.Q(estimated_cost__gte=0),
                name="proposal_cost_not_negative",
                violation_error_message=_("估算费用不能为负数。"),
            ),
        ]

    def __str__(self):
        return f"{self.tracking_code} {self.title}"

    @property
    def masked_name(self):
        """Return the proposer as shown publicly: the organisation, or 王** for a person."""
        return self.organisation or mask_name(self.proposer_name)


class ProposalEvent(models.Model):
    """A move of a proposal from one status to another, and who made it.

    The proposer sees the statuses and notes on the status page; the actor only staff see.
    """

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="events", verbose_name=_("提议")
    )
    from_status = models.CharField(_("原状态"), max_length=20, choices=Status, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal_events",
        verbose_name=_("操作人"),
        help_text=_("居民自己在网上提交时为空"),
    )
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("提议进展")
        verbose_name_plural = _("提议进展")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.proposal.tracking_code} {self.get_status_display()}"


def photo_path(instance, filename):
    return f"private/photos/{uuid.uuid4().hex}.jpg"


class Photo(models.Model):
    """A re-encoded photo of a proposal, a site survey or a ballot item, served only by Django."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    survey = models.ForeignKey(
        "SiteSurvey", on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    ballot_item = models.ForeignKey(
        "BallotItem", on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    image = models.ImageField(_("照片"), upload_to=photo_path)
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(proposal__isnull=False, survey__isnull=True, ballot_item__isnull=True)
                    | models.Q(
                        proposal__isnull=True, survey__isnull=False, ballot_item__isnull=True
                    )
                    | models.Q(
                        proposal__isnull=True, survey__isnull=True, ballot_item__isnull=False
                    )
                ),
                name="photo_belongs_to_one",
            )
        ]

    def __str__(self):
        return self.image.name


class NegativeListReason(models.Model):
    """One of the seven 七不入 reasons; the rows are data, loaded by a migration."""

    number = models.PositiveSmallIntegerField(_("序号"), unique=True)
    title = models.CharField(_("内容"), max_length=100)

    class Meta:
        verbose_name = _("七不入负面清单")
        verbose_name_plural = _("七不入负面清单")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.title}"


class ScreeningDecision(models.Model):
    """A 七不入 screening decision; a change is a new decision, the latest one counts."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="screenings", verbose_name=_("提议")
    )
    passed = models.BooleanField(_("通过筛选"))
    reasons = models.ManyToManyField(
        NegativeListReason, through="Exclusion", blank=True, verbose_name=_("排除理由")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("决定人")
    )
    decided_at = models.DateTimeField(_("决定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("七不入筛选记录")
        verbose_name_plural = _("七不入筛选记录")
        ordering = ["decided_at", "pk"]
        get_latest_by = ["decided_at", "pk"]

    def __str__(self):
        return f"{self.proposal.tracking_code} {_('通过') if self.passed else _('排除')}"


class Exclusion(models.Model):
    decision = models.ForeignKey(
        ScreeningDecision, on_delete=models.CASCADE, related_name="exclusions"
    )
    reason = models.ForeignKey(NegativeListReason, on_delete=models.PROTECT, verbose_name=_("理由"))
    note = models.TextField(_("说明（公开）"))

    class Meta:
        verbose_name = _("排除理由")
        verbose_name_plural = _("排除理由")
        constraints = [
            models.UniqueConstraint(fields=["decision", "reason"], name="exclusion_reason_once")
        ]

    def __str__(self):
        return f"{self.reason}：{self.note}"


class SiteSurvey(models.Model):
    """A site survey (实地勘察) of a proposal by advisers, departments and the proposer."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="surveys", verbose_name=_("提议")
    )
    surveyed_on = models.DateField(_("勘察日期"))
    participants = models.TextField(_("参加人员"), help_text=_("项目顾问、职能部门、提议人等"))
    findings = models.TextField(_("勘察情况"))
    outcome = models.CharField(_("勘察结论"), max_length=200)

    editable_in = dict.fromkeys(
        ["surveyed_on", "participants", "findings", "outcome"], BEFORE_VOTING
    )

    class Meta:
        verbose_name = _("实地勘察")
        verbose_name_plural = _("实地勘察")
        ordering = ["surveyed_on"]

    def __str__(self):
        return f"{self.surveyed_on} {self.outcome}"


class Roundtable(models.Model):
    """A neighbourhood roundtable (邻里圆桌会) that deliberates the screened proposals."""

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="roundtables", verbose_name=_("轮次")
    )
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=200)
    attendees = models.TextField(_("参加人员"))
    attendee_count = models.PositiveIntegerField(_("参加人数"))
    minutes = models.TextField(_("会议纪要"))
    decision_text = models.TextField(_("决案书"))
    decision_scan = models.FileField(
        _("决案书签字扫描件"), upload_to="private/roundtables/", blank=True
    )

    editable_in = {
        "round": NEVER,
        **dict.fromkeys(
            [
                "held_on",
                "place",
                "attendees",
                "attendee_count",
                "minutes",
                "decision_text",
                "decision_scan",
            ],
            BEFORE_VOTING,
        ),
    }

    class Meta:
        verbose_name = _("邻里圆桌会")
        verbose_name_plural = _("邻里圆桌会")
        ordering = ["held_on"]

    def __str__(self):
        return f"{self.held_on} {self.place}"


class RoundtableOutcome(models.Model):
    """What a roundtable decided for one proposal: on the ballot (in which order) or not, and why."""

    roundtable = models.ForeignKey(
        Roundtable, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("圆桌会")
    )
    proposal = models.OneToOneField(
        Proposal,
        on_delete=models.PROTECT,
        related_name="roundtable_outcome",
        verbose_name=_("提议"),
    )
    on_ballot = models.BooleanField(_("推荐入库"))
    recommended_order = models.PositiveSmallIntegerField(_("推荐顺序"), null=True, blank=True)
    reason = models.TextField(_("未入库理由"), blank=True)

    editable_in = dict.fromkeys(
        ["proposal", "on_ballot", "recommended_order", "reason"], frozenset({Stage.SCREENING})
    )

    class Meta:
        verbose_name = _("圆桌会结论")
        verbose_name_plural = _("圆桌会结论")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(on_ballot=True, recommended_order__isnull=False)
                | (models.Q(on_ballot=False) & ~models.Q(reason="")),
                name="roundtable_outcome_order_or_reason",
                violation_error_message=_("推荐入库的提议要填写推荐顺序；未入库的提议要写明理由。"),
            )
        ]

    def __str__(self):
        return f"{self.proposal.tracking_code} {_('推荐入库') if self.on_ballot else _('未入库')}"


class CostEstimate(models.Model):
    """A department's estimate (预算配额) of what a proposal going on the ballot will cost."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="estimates", verbose_name=_("提议")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="estimates", verbose_name=_("职能部门")
    )
    amount = models.DecimalField(_("估算金额（元）"), max_digits=12, decimal_places=2)
    note = models.TextField(_("说明"), blank=True)
    estimated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("估算人")
    )
    estimated_at = models.DateTimeField(_("估算时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("预算配额")
        verbose_name_plural = _("预算配额")
        ordering = ["estimated_at", "pk"]
        get_latest_by = ["estimated_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="estimate_positive")
        ]

    def __str__(self):
        return f"{self.proposal.tracking_code} {self.department} {self.amount}"


class BallotItem(models.Model):
    """A candidate project in the round's project library (项目库), as it appears on the ballot."""

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="ballot_items", verbose_name=_("轮次")
    )
    number = models.PositiveSmallIntegerField(_("编号"))
    ref = models.CharField(
        _("编码"), max_length=64, help_text=_("计票和数据交换用的编码，通常等于编号")
    )
    title = models.CharField(_("项目名称"), max_length=200)
    description = models.TextField(_("项目内容"))
    cost = models.DecimalField(
        _("预算（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    category = models.CharField(_("类别"), max_length=20, choices=Category)
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("所在小区")
    )
    location = models.CharField(_("具体位置"), max_length=200)

    editable_in = {
        "round": NEVER,
        **dict.fromkeys(
            ["title", "description", "category", "compound", "location", "cost"], BEFORE_VOTING
        ),
    }

    class Meta:
        verbose_name = _("项目库条目")
        verbose_name_plural = _("项目库")
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="ballot_item_number_once"),
            models.UniqueConstraint(fields=["round", "ref"], name="ballot_item_ref_once"),
            models.CheckConstraint(
                condition=models.Q(cost__isnull=True) | models.Q(cost__gt=0),
                name="ballot_item_cost_positive",
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"
