import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from demo.walk import DEMO_PASSWORD, DemoRound
from rounds.models import (
    Community,
    Compound,
    Department,
    District,
    PlannedStage,
    Round,
    StaffRole,
    Stage,
    Street,
)
from rounds.workflow import STEPS

COMMUNITIES = {
    "龙西社区": ["龙西新村", "龙西二村", "溪霞苑", "龙湖花园"],
    "新家社区": ["新家花园", "新家一村", "宝带新村"],
    "龙南社区": ["龙南小区", "南湖苑", "蠡墅新村"],
    "长桥社区": ["长桥新村", "长桥花园", "荷塘月色"],
    "蠡墅社区": ["蠡墅花园", "宝南苑"],
}

# (community, years before this one, the stage the round stands at today)
ROUNDS = [
    ("龙西社区", 1, Stage.CLOSED),
    ("龙西社区", 0, Stage.COLLECTION),
    ("新家社区", 0, Stage.PLAN),
    ("龙南社区", 0, Stage.SCREENING),
    ("长桥社区", 0, Stage.VOTING),
    ("蠡墅社区", 1, Stage.CLOSED),
]

RULES = (
    "一、凡在本社区居住、工作或学习的居民均可提出项目建议，不设户籍限制。\n"
    "二、项目须属于公共利益范畴，对照「七不入」负面清单筛选：不属于公共利益范畴、有其他责任主体、"
    "违反政策法规、与政府在建或拟建项目重复、超出街道建设能力范围、不具有技术可行性、"
    "明显超出预算限额的，不纳入项目库。\n"
    "三、入库项目由居民在投票站投票，每人限投一次；按得票数由高到低排序，"
    "在总体资金额度以内的项目为实施项目。\n"
    "四、投票结果公示七天，落选项目以《感谢信》形式逐一回复。"
)

# How many weeks each of the eight steps is planned to take; last year's rounds began in March.
WEEKS = [3, 5, 4, 1, 1, 2, 22, 4]
LAST_YEARS_START = (3, 2)  # month, day
DAYS_INTO_THE_CURRENT_STEP = 2


def planned_starts(stage, today):
    """Return the first day of each of the eight steps of a round standing at ``stage`` today.

    A round of this year is planned so that today falls on the third day of its current
    step (a vote is open today); a closed round ran last year from early March.
    """
    if stage == Stage.CLOSED:
        first = datetime.date(today.year - 1, *LAST_YEARS_START)
    else:
        weeks_before = sum(WEEKS[: STEPS.index(stage)])
        first = today - datetime.timedelta(weeks=weeks_before, days=DAYS_INTO_THE_CURRENT_STEP)
    starts, day = [], first
    for weeks in WEEKS:
        starts.append(day)
        day += datetime.timedelta(weeks=weeks)
    return starts

USERS = [
    ("admin", "系统管理员", None),
    ("wuzhong", "吴中区民政局", ("district", "吴中区")),
    ("changqiao", "长桥街道社区办", ("street", "长桥街道")),
    ("longxi", "龙西社区居委会", ("community", "龙西社区")),
    ("xinjia", "新家社区居委会", ("community", "新家社区")),
    ("chengjian", "长桥街道城建办", ("department", "长桥街道城建办")),
]


class Command(BaseCommand):
    help = (
        "Build a demo street with communities and rounds at different stages (safe to run twice)."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        district, _ = District.objects.get_or_create(name="吴中区")
        street, _ = Street.objects.get_or_create(district=district, name="长桥街道")
        communities = {}
        for name, compounds in COMMUNITIES.items():
            communities[name], _ = Community.objects.get_or_create(street=street, name=name)
            for compound in compounds:
                Compound.objects.get_or_create(community=communities[name], name=compound)
        department, _ = Department.objects.get_or_create(street=street, name="长桥街道城建办")
        places = {
            district.name: district,
            street.name: street,
            department.name: department,
            **communities,
        }
        users = {
            username: self.demo_user(username, title, role, places)
            for username, title, role in USERS
        }
        today = timezone.localdate()
        for community_name, years_before, stage in ROUNDS:
            round, created = self.demo_round(
                communities[community_name], today.year - years_before, planned_starts(stage, today)
            )
            if created:
                DemoRound(round, users, department).bring_to(stage)
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已就绪。登录后台 /admin/ 可用以下账号（密码均为 {DEMO_PASSWORD}）："
            )
        )
        for username, title, _role in USERS:
            self.stdout.write(f"  {username:<10} {title}")
        self.stdout.write("投票站工作人员登录 /accounts/login/：zhanwu1、zhanwu2、zhanwu3（密码同上）")

    def demo_user(self, username, title, role, places):
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={"first_name": title, "is_staff": True, "is_superuser": role is None},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if role:
            level, place = role
            StaffRole.objects.get_or_create(user=user, level=level, **{level: places[place]})
        return user

    def demo_round(self, community, year, starts):
        round, created = Round.objects.get_or_create(
            community=community,
            year=year,
            defaults={
                "title": f"{year}年度 长桥街道 {community.name} 和谐微实事",
                "total_fund": Decimal("150000"),
                "project_cap": Decimal("50000"),
                "rules": RULES,
            },
        )
        if created:
            round.compounds.set(community.compounds.all())
            for stage, starts_on, weeks in zip(STEPS, starts, WEEKS, strict=True):
                PlannedStage.objects.create(
                    round=round,
                    stage=stage,
                    starts_on=starts_on,
                    ends_on=starts_on + datetime.timedelta(weeks=weeks, days=-1),
                )
        return round, created
