import functools
import operator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def mask_name(name):
    """Return a person's name as shown publicly: the family name and stars (王**)."""
    return name[:1] + "*" * max(len(name) - 1, 1)


class District(models.Model):
    name = models.CharField(_("名称"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("区")
        verbose_name_plural = _("区")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Street(models.Model):
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="streets", verbose_name=_("区")
    )
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("街道")
        verbose_name_plural = _("街道")
        ordering = ["district__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="street_unique_in_district")
        ]

    def __str__(self):
        return f"{self.district.name} {self.name}"


class Community(models.Model):
    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, related_name="communities", verbose_name=_("街道")
    )
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("社区")
        verbose_name_plural = _("社区")
        ordering = ["street__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="community_unique_in_street")
        ]

    def __str__(self):
        return f"{self.street.name} {self.name}"


class Compound(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="compounds", verbose_name=_("社区")
    )
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["community__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], name="compound_unique_in_community"
            )
        ]

    def __str__(self):
        return self.name


class Department(models.Model):
    """A functional department (职能部门) that estimates costs and carries out projects."""

    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, related_name="departments", verbose_name=_("街道")
    )
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="department_unique_in_street")
        ]

    def __str__(self):
        return self.name


class Stage(models.TextChoices):
    """The eight steps (八步工作法) of a round, in order, and the archived state."""

    PLAN = "plan", _("宣传发动，方案共定")
    COLLECTION = "collection", _("项目征集，建议共提")
    SCREENING = "screening", _("民主协商，筛选共议")
    VOTING = "voting", _("居民投票，项目共决")
    PUBLICITY = "publicity", _("公示发布，群众共督")
    REPLIES = "replies", _("落选回复，意见共商")
    IMPLEMENTATION = "implementation", _("项目实施，家园共建")
    EVALUATION = "evaluation", _("项目评价，成果共享")
    CLOSED = "closed", _("已归档")


# The stages in which a field may change, as each model's ``editable_in`` lists them
# (rounds.editing): the plan only in `plan`; the library, the costs and the voting rules until
# voting opens; the stations' days and officers until they close. Nothing after voting.
NEVER = frozenset()
PLAN_ONLY = frozenset({Stage.PLAN})
BEFORE_VOTING = frozenset({Stage.PLAN, Stage.COLLECTION, Stage.SCREENING})
THROUGH_VOTING = BEFORE_VOTING | {Stage.VOTING}


class TallyRule(models.TextChoices):
    STOP = "stop", _("按得票排序依次入选，遇到超出资金额度的项目即停止")
    SKIP = "skip", _("按得票排序依次入选，跳过超出剩余资金的项目继续")
    MES = "mes", _("平等份额法（每位投票人分得同等资金份额）")


class TieBreak(models.TextChoices):
    ORDER = "order", _("票数相同时预算低者优先，再按项目库顺序")
    LOT = "lot", _("票数相同时预算低者优先，仍相同则公开抽签")
    LISTED = "listed", _("票数相同时按项目库顺序（不看预算）")


class Round(models.Model):
    """One community's participatory micro-project cycle for one year."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("社区")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=200)
    total_fund = models.DecimalField(_("资金额度（元）"), max_digits=12, decimal_places=2, default=0)
    project_cap = models.DecimalField(
        _("单个项目预算限额（元）"), max_digits=12, decimal_places=2, default=0
    )
    compounds = models.ManyToManyField(
        Compound, blank=True, related_name="rounds", verbose_name=_("覆盖小区")
    )
    rules = models.TextField(_("规则说明"), blank=True)
    max_choices = models.PositiveSmallIntegerField(
        _("每张选票最多可选项目数"), default=3, help_text=_("每位居民可以勾选1到这么多个项目")
    )
    tally_rule = models.CharField(
        _("计票规则"), max_length=10, choices=TallyRule, default=TallyRule.STOP
    )
    tie_break = models.CharField(
        _("平票处理"), max_length=10, choices=TieBreak, default=TieBreak.ORDER
    )
    min_vote_share = models.DecimalField(
        _("入选最低得票率"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("例如 0.1 表示至少10%的有效选票选择了该项目才可入选；不填则不限"),
    )
    stage = models.CharField(
        _("当前阶段"), max_length=20, choices=Stage, default=Stage.PLAN, editable=False
    )
    # When the round entered its stage: each move, forward or back, sets it anew, so what
    # a stage holds still (the ballot's items while voting) can be kept under this mark.
    stage_since = models.DateTimeField(_("进入当前阶段的时间"), default=timezone.now, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    editable_in = {
        "community": PLAN_ONLY,
        "year": PLAN_ONLY,
        "title": PLAN_ONLY,
        "project_cap": PLAN_ONLY,
        "compounds": PLAN_ONLY,
        "rules": PLAN_ONLY,
        "total_fund": BEFORE_VOTING,
        "max_choices": BEFORE_VOTING,
        "tally_rule": BEFORE_VOTING,
        "tie_break": BEFORE_VOTING,
        "min_vote_share": BEFORE_VOTING,
    }

    class Meta:
        verbose_name = _("微实事轮次")
        verbose_name_plural = _("微实事轮次")
        ordering = ["-year", "community__name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year"], name="round_one_per_year"),
            models.CheckConstraint(
                condition=models.Q(project_cap__lte=models.F("total_fund")),
                name="round_cap_within_fund",
                violation_error_message=_("单个项目预算限额不能超过资金额度。"),
            ),
            models.CheckConstraint(
                condition=models.Q(max_choices__gte=1),
                name="round_max_choices_at_least_one",
            ),
            models.CheckConstraint(
                condition=models.Q(total_fund__gte=0) & models.Q(project_cap__gte=0),
                name="round_amounts_not_negative",
                violation_error_message=_("金额不能为负数。"),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("rounds:detail", args=[self.pk])


class PlannedStage(models.Model):
    """The planned dates of one of a round's eight steps, as published in its plan."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="planned_stages", verbose_name=_("轮次")
    )
    stage = models.CharField(
        _("阶段"), max_length=20, choices=[c for c in Stage.choices if c[0] != Stage.CLOSED]
    )
    starts_on = models.DateField(_("计划开始"))
    ends_on = models.DateField(_("计划结束"))

    editable_in = {"stage": PLAN_ONLY, "starts_on": PLAN_ONLY, "ends_on": PLAN_ONLY}

    class Meta:
        verbose_name = _("阶段计划")
        verbose_name_plural = _("阶段计划")
        constraints = [
            models.UniqueConstraint(fields=["round", "stage"], name="planned_stage_once"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="planned_stage_ends_after_start",
                violation_error_message=_("计划结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.get_stage_display()} {self.starts_on}–{self.ends_on}"


class RoundEvent(models.Model):
    """An append-only record of one move of a round from one stage to another."""

    class Kind(models.TextChoices):
        ADVANCE = "advance", _("推进")
        REOPEN = "reopen", _("退回重开")

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="events", verbose_name=_("轮次")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind, default=Kind.ADVANCE)
    from_stage = models.CharField(_("原阶段"), max_length=20, choices=Stage)
    to_stage = models.CharField(_("新阶段"), max_length=20, choices=Stage)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="round_events",
        verbose_name=_("操作人"),
    )
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("阶段变更记录")
        verbose_name_plural = _("阶段变更记录")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_stage=models.F("to_stage")),
                name="round_event_changes_stage",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="reopen") | ~models.Q(note=""),
                name="round_event_reopen_has_note",
            ),
        ]

    def __str__(self):
        return f"{self.round}: {self.get_from_stage_display()} → {self.get_to_stage_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("阶段变更记录只能新增，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("阶段变更记录只能新增，不能删除。"))


# The field of StaffRole that each level fills in; the level names the field.
PLACES = ["district", "street", "community", "department"]


class StaffRole(models.Model):
    """Which part of the geography a staff user works for: one district, street or community."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("区级工作人员")
        STREET = "street", _("街道工作人员")
        COMMUNITY = "community", _("社区工作人员")
        DEPARTMENT = "department", _("职能部门工作人员")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_roles",
        verbose_name=_("用户"),
    )
    level = models.CharField(_("层级"), max_length=20, choices=Level)
    district = models.ForeignKey(
        District, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("区")
    )
    street = models.ForeignKey(
        Street, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("街道")
    )
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("社区")
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("职能部门")
    )

    class Meta:
        verbose_name = _("工作人员角色")
        verbose_name_plural = _("工作人员角色")
        constraints = [
            models.CheckConstraint(
                condition=functools.reduce(
                    operator.or_,
                    (
                        models.Q(
                            level=level, **{f"{place}__isnull": place != level for place in PLACES}
                        )
                        for level in PLACES
                    ),
                ),
                name="staff_role_matches_level",
                violation_error_message=_("请只填写与层级对应的一个区、街道、社区或职能部门。"),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_level_display()} · {self.place}"

    @property
    def place(self):
        """Return the district, street, community or department the role covers."""
        return getattr(self, self.level)


class PlanComment(models.Model):
    """A resident's comment on the draft plan while the round is in `plan`, and staff's answer."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="plan_comments", verbose_name=_("轮次")
    )
    name = models.CharField(_("姓名"), max_length=50)
    contact = models.CharField(
        _("联系方式"), max_length=50, help_text=_("仅工作人员可见，用于回复您")
    )
    text = models.TextField(_("意见建议"), max_length=2000)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("答复人"),
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    editable_in = {"answer": frozenset(Stage)}  # staff may answer a comment at any time

    class Meta:
        verbose_name = _("方案意见")
        verbose_name_plural = _("方案意见")
        ordering = ["-created_at"]

    def __str__(self):
        return self.text[:30]

    @property
    def masked_name(self):
        return mask_name(self.name)
