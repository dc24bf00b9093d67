import datetime
from decimal import Decimal

import pytest

from proposals.models import BallotItem, Category
from rounds.models import Stage
from tests.factories import RoundFactory, UserFactory, complete_plan, put_at
from voting.models import BallotStation, StationOfficer

TITLES = [
    "更换小区主干道路灯",
    "加装单元楼门口休闲座椅",
    "修缮破损人行道",
    "增设电动自行车集中充电桩",
    "建设儿童游乐区",
    "开设老年人智能手机课堂",
    "整治楼道堆物和飞线",
    "安装高空抛物监控",
    "改造垃圾分类投放点",
    "组建居民志愿巡逻队",
]


def library(round, count):
    """Give ``round`` a project library of ``count`` items with Chinese titles and odd costs."""
    compound = round.compounds.first()
    return [
        BallotItem.objects.create(
            round=round,
            number=number,
            ref=str(number),
            title=TITLES[(number - 1) % 10] + (f"\uff08{number}号楼\uff09" if number > 10 else ""),
            description="居民提议，经邻里圆桌会协商入库",
            cost=Decimal(6000 + 1375 * number) + Decimal("0.50") * (number % 2),
            category=Category.CONSTRUCTION,
            compound=compound,
            location=f"{number}号楼南侧",
        )
        for number in range(1, count + 1)
    ]


@pytest.fixture
def round():
    """A round in the voting week: three choices a ballot, 300,000 yuan."""
    round = complete_plan(
        RoundFactory(title="2026年度 长桥街道 龙西社区 和谐微实事", max_choices=3)
    )
    return put_at(round, Stage.VOTING)


@pytest.fixture
def station(round):
    return BallotStation.objects.create(
        round=round,
        name="龙西社区党群服务中心投票站",
        address="龙西路88号 社区党群服务中心一楼大厅",
        mode=BallotStation.Mode.PAPER,
        opens_on=datetime.date(2026, 6, 8),
        closes_on=datetime.date(2026, 6, 14),
        opens_at=datetime.time(8, 30),
        closes_at=datetime.time(17, 30),
    )


@pytest.fixture
def officer(station):
    user = UserFactory(is_staff=False)
    StationOfficer.objects.create(station=station, user=user)
    return user
