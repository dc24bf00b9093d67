"""Walk a demo round through its stages with real content, using the same services as people do."""

import datetime
import io
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from notices.models import PublicityNotice
from notices.services import notice_publish, notice_update
from proposals.models import (
    Category,
    NegativeListReason,
    Proposal,
    Relation,
    Roundtable,
    SiteSurvey,
    Source,
)
from proposals.services import (
    ballot_item_create,
    cost_estimate_record,
    proposal_screen,
    proposal_submit,
    proposals_merge,
    roundtable_decide,
)
from rounds.models import Round, Stage
from rounds.services import plan_comment_add, plan_comment_answer, round_transition
from rounds.workflow import next_stage
from voting.identity import ID_CARD_CHECK, ID_CARD_WEIGHTS, DocumentType, voter_key
from voting.models import BallotStation, CertifiedTally, StationClosure, StationOfficer
from voting.services import (
    ballot_cast,
    paper_count_enter,
    station_close,
    tally_certify,
    voter_record,
)

DEMO_PASSWORD = "weishishi-demo"
RELATIONS = [Relation.LIVES, Relation.LIVES, Relation.WORKS, Relation.LIVES, Relation.STUDIES]
NAMES = [
    "王秀英",
    "李建国",
    "张丽华",
    "刘志强",
    "陈美玲",
    "杨德明",
    "赵桂芳",
    "黄伟",
    "周晓燕",
    "吴志刚",
    "徐丽",
    "孙海峰",
    "马文静",
    "朱国庆",
]

# title, category, what and why, who benefits, estimated cost, fate
# fate: ballot (department's estimate) · exclude (七不入 number, note) · merge (into the
# previous ballot proposal) · not_on_ballot (reason) · open (left undecided while screening)
PROPOSALS = [
    (
        "中心花园加装休闲座椅",
        Category.CONSTRUCTION,
        "中心花园只有两张长椅，老人散步后没有地方休息，建议沿步道加装十张防腐木座椅。",
        "小区老人、带孩子的家长",
        18000,
        ("ballot", 16500),
    ),
    (
        "主干道路灯更换为LED",
        Category.PUBLIC_SAFETY,
        "主干道路灯老化，晚上经常不亮，居民夜归不安全，建议更换为节能LED路灯。",
        "全体居民",
        32000,
        ("ballot", 29800),
    ),
    (
        "路灯太暗晚上看不清",
        Category.PUBLIC_SAFETY,
        "3号楼到南门一段路灯很暗，建议更换。",
        "夜归居民",
        None,
        ("merge", None),
    ),
    (
        "老年人助餐点",
        Category.COMMUNITY_SERVICES,
        "社区独居老人多，做饭不便，建议在活动中心开设助餐点，由社会组织运营一年。",
        "70岁以上老人",
        45000,
        ("ballot", 42000),
    ),
    (
        "楼道杂物集中清理",
        Category.REMEDIATION,
        "多个楼道堆放杂物，存在消防隐患，建议组织一次集中清理并设置公共储物点。",
        "各楼栋居民",
        8000,
        ("ballot", 7600),
    ),
    (
        "儿童游乐设施翻新",
        Category.CONSTRUCTION,
        "游乐场滑梯掉漆生锈，地面没有防护垫，建议翻新并铺设塑胶地面。",
        "小区儿童",
        40000,
        ("ballot", 38500),
    ),
    (
        "垃圾分类志愿服务队",
        Category.SELF_GOVERNANCE,
        "组建居民志愿者队伍，在投放高峰时段值守引导垃圾分类。",
        "全体居民",
        6000,
        ("ballot", 5800),
    ),
    (
        "更换小区燃气管道",
        Category.PUBLIC_SAFETY,
        "燃气管道使用超过二十年，担心漏气。",
        "全体居民",
        200000,
        ("exclude", 2, "燃气管道由燃气公司负责维护，已转燃气公司安排检测。"),
    ),
    (
        "给我家院子装围栏",
        Category.CONSTRUCTION,
        "一楼院子经常有人穿行，希望装一圈围栏。",
        "一楼住户",
        5000,
        ("exclude", 1, "只涉及个别住户，不属于公共利益范畴。"),
    ),
    (
        "建设地下停车库",
        Category.CONSTRUCTION,
        "停车难，建议在中心花园下面建地下车库。",
        "有车家庭",
        5000000,
        ("exclude", 7, "估算投资数百万元，远超单个项目预算限额；已转街道研究停车改造。"),
    ),
    (
        "拓宽南门道路",
        Category.CONSTRUCTION,
        "南门路窄，上下班堵车。",
        "全体居民",
        300000,
        ("exclude", 4, "区交通局已将南门道路拓宽列入明年计划，不再重复立项。"),
    ),
    (
        "中心广场加装健身器材",
        Category.CONSTRUCTION,
        "希望在广场增加一组健身器材。",
        "中老年居民",
        25000,
        ("not_on_ballot", "实地勘察发现广场已无安全间距，圆桌会建议明年结合广场改造统筹考虑。"),
    ),
    (
        "电动自行车集中充电棚",
        Category.PUBLIC_SAFETY,
        "居民在楼道给电动车充电很危险，建议建设集中充电棚。",
        "电动车车主",
        48000,
        ("ballot", 47000),
    ),
    (
        "修复5号楼前积水路面",
        Category.REMEDIATION,
        "5号楼前路面下沉，下雨就积水，老人出行不便。",
        "5号楼居民",
        12000,
        ("open", "物业公司已承诺使用维修资金修复，圆桌会建议不列入项目库。"),
    ),
]


def demo_photo(text):
    """Return a small JPEG upload, so demo proposals have a picture like real ones."""
    image = Image.new("RGB", (640, 480), (190, 220, 200))
    ImageDraw.Draw(image).rectangle((40, 300, 600, 440), fill=(120, 160, 130))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    return SimpleUploadedFile(f"{text}.jpg", buffer.getvalue(), content_type="image/jpeg")


def on_day(day, hour):
    """Return ``day`` at ``hour`` o'clock on the community's clock."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class DemoRound:
    def __init__(self, round, users, department):
        self.round = round
        self.staff = users["changqiao"]
        self.estimator = users["chengjian"]
        self.department = department

    def bring_to(self, target):
        """Move the round to ``target``, doing each stage's work (``STAGE_WORK``) on the way."""
        while True:
            stage = self.round.stage
            complete = stage != target
            if work := STAGE_WORK.get(stage):
                work(self, everything=complete)
            if not complete:
                return
            self.move_to(next_stage(stage))

    def planned(self, stage):
        return self.round.planned_stages.get(stage=stage)

    def move_to(self, stage):
        """Move the round to ``stage`` and date the move on the day its plan gives.

        The demo rounds are shown as if they had run to plan, so their timelines show the
        plan's days, not the day the demo was loaded.
        """
        round_transition(round=self.round, to=stage, actor=self.staff)
        if stage == Stage.CLOSED:
            day = self.planned(Stage.EVALUATION).ends_on + datetime.timedelta(days=1)
        else:
            day = self.planned(stage).starts_on
        moved = on_day(day, 9)
        self.round.events.filter(to_stage=stage).update(created_at=moved)
        Round.objects.filter(pk=self.round.pk).update(stage_since=moved)
        self.round.stage_since = moved

    def comment_on_plan(self, *, everything):
        comments = [
            (
                "李建国",
                "13900001111",
                "希望征集时间能延长到两周，很多上班族周末才有空。",
                "已采纳，征集期调整为五周。",
            ),
            (
                "陈美玲",
                "13900002222",
                "建议在每个小区门口张贴方案，方便不用手机的老人了解。",
                "已在各小区公告栏张贴。",
            ),
            ("周晓燕", "13900003333", "资金额度能否向老旧小区倾斜？", ""),
        ]
        for name, contact, text, answer in comments:
            comment = plan_comment_add(round=self.round, name=name, contact=contact, text=text)
            if everything and answer:
                plan_comment_answer(comment=comment, answer=answer, actor=self.staff)

    def collect(self, *, everything):
        compounds = list(self.round.compounds.all())
        count = len(PROPOSALS) if everything else 5
        for index, (title, category, description, beneficiaries, cost, _fate) in enumerate(
            PROPOSALS[:count]
        ):
            online = index % 3 != 2
            proposal = Proposal(
                round=self.round,
                source=Source.ONLINE if online else Source.PROPOSAL_POINT,
                proposer_name=NAMES[index % len(NAMES)],
                phone=f"138{self.round.pk:03d}{index:05d}",
                relation=RELATIONS[index % len(RELATIONS)],
                organisation="龙西小学家委会" if index == 6 else "",
                title=title,
                category=category,
                compound=compounds[index % len(compounds)],
                location="详见描述",
                description=description,
                beneficiaries=beneficiaries,
                estimated_cost=Decimal(cost) if cost else None,
                department=self.department,
            )
            proposal_submit(
                proposal=proposal,
                photos=[demo_photo(title)] if index % 2 == 0 else [],
                address=f"10.1.{self.round.pk}.{index}",
                entered_by=None if online else self.staff,
            )

    def screen(self, *, everything):
        proposals = list(self.round.proposals.order_by("tracking_code"))
        reasons = {reason.number: reason for reason in NegativeListReason.objects.all()}
        roundtable = Roundtable.objects.create(
            round=self.round,
            held_on=min(self.planned(Stage.SCREENING).ends_on, timezone.localdate()),
            place="社区党群服务中心二楼会议室",
            attendees="社区书记、居民代表12人、项目顾问、街道城建办、提议人代表",
            attendee_count=18,
            minutes="逐项审议通过七不入筛选的提议，合并同类提议，结合实地勘察情况确定入库项目及推荐顺序。",
            decision_text="经邻里圆桌会协商，同意将下列项目列入本年度微实事项目库，提交居民投票。与会代表签字确认。",
        )
        ballot, last_ballot = 0, None
        for proposal, (*_fields, fate) in zip(proposals, PROPOSALS, strict=False):
            kind, detail = fate[0], fate[1:]
            if not everything and (kind == "open" or (kind == "ballot" and ballot >= 2)):
                continue
            if kind == "exclude":
                proposal_screen(
                    proposal=proposal,
                    actor=self.staff,
                    exclusions=[(reasons[detail[0]], detail[1])],
                )
                continue
            proposal_screen(proposal=proposal, actor=self.staff)
            if kind == "merge":
                proposals_merge(into=last_ballot, sources=[proposal], actor=self.staff)
            elif kind in ("open", "not_on_ballot"):
                if kind == "not_on_ballot":
                    SiteSurvey.objects.create(
                        proposal=proposal,
                        surveyed_on=roundtable.held_on - datetime.timedelta(days=7),
                        participants="项目顾问、街道城建办、提议人",
                        findings="广场现有设施之间距离不足，加装器材会占用消防通道。",
                        outcome="不具备实施条件",
                    )
                roundtable_decide(
                    roundtable=roundtable,
                    proposal=proposal,
                    on_ballot=False,
                    reason=detail[0],
                    actor=self.staff,
                )
            elif kind == "ballot":
                ballot += 1
                last_ballot = proposal
                roundtable_decide(
                    roundtable=roundtable,
                    proposal=proposal,
                    on_ballot=True,
                    recommended_order=ballot,
                    actor=self.staff,
                )
                cost_estimate_record(
                    proposal=proposal,
                    department=self.department,
                    amount=Decimal(detail[0]),
                    actor=self.estimator,
                    note="按现场勘察工程量估算",
                )
        if not everything:
            return
        for proposal in Proposal.objects.filter(
            round=self.round, roundtable_outcome__on_ballot=True
        ).order_by("roundtable_outcome__recommended_order"):
            ballot_item_create(
                round=self.round,
                proposals=[proposal],
                title=proposal.title[:40],
                description=proposal.description,
                category=proposal.category,
                compound=proposal.compound,
                location=proposal.location,
                actor=self.staff,
            )
        self.open_stations()

    def open_stations(self):
        """Open a tablet and a paper station every day of the planned voting week, all day long.

        All day, so that whoever tries the demo can vote at the tablet station at any hour.
        """
        voting = self.planned(Stage.VOTING)
        hours = {
            "opens_on": voting.starts_on,
            "closes_on": voting.ends_on,
            "opens_at": datetime.time(0),
            "closes_at": datetime.time(23, 59, 59),
        }
        self.stations = []
        for name, address, mode, officers in [
            (
                "社区党群服务中心投票站",
                "社区党群服务中心一楼大厅",
                BallotStation.Mode.TABLET,
                ["zhanwu1"],
            ),
            ("小区门岗投票站", "南门门岗旁", BallotStation.Mode.PAPER, ["zhanwu2", "zhanwu3"]),
        ]:
            station = BallotStation.objects.create(
                round=self.round, name=name, address=address, mode=mode, **hours
            )
            for username in officers:
                StationOfficer.objects.create(station=station, user=demo_officer(username))
            self.stations.append(station)

    def vote(self, *, everything):
        """Let residents vote at both stations; close and certify the count when voting is over."""
        tablet, paper = self.round.stations.order_by("name")
        if tablet.mode != BallotStation.Mode.TABLET:
            tablet, paper = paper, tablet
        refs = list(self.round.ballot_items.order_by("number").values_list("ref", flat=True))
        chooser = random.Random(self.round.pk)
        popularity = [len(refs) - index for index in range(len(refs))]
        when = on_day(tablet.opens_on, 10)
        voters = 160 if everything else 60
        paper_lines = []
        for index in range(voters):
            key = voter_key(
                self.round, DocumentType.ID_CARD, demo_id_number(self.round.pk * 1000 + index)
            )
            relation = RELATIONS[index % len(RELATIONS)]
            wanted = sorted(
                {
                    *chooser.choices(
                        refs, weights=popularity, k=chooser.randint(1, self.round.max_choices)
                    )
                },
                key=refs.index,
            )
            if index % 3:
                officer = tablet.officers.first()
                ballot_cast(
                    station=tablet,
                    officer=officer,
                    relation=relation,
                    voter_key=key,
                    refs=wanted,
                    now=when,
                )
            else:
                voter_record(
                    station=paper,
                    officer=paper.officers.first(),
                    relation=relation,
                    voter_key=key,
                    now=when,
                )
                paper_lines.append(",".join(wanted) if index % 29 else "空白")
        if not everything:
            return
        lines = "\n".join(paper_lines)
        for officer in paper.officers.all():
            paper_count_enter(station=paper, officer=officer, lines=lines)
        for station in (tablet, paper):
            station_close(
                station=station,
                actor=station.officers.first(),
                officers=list(station.officers.all()),
                observers="提议人代表 王女士\n居民代表 李先生",
            )
        tally_certify(
            round=self.round,
            actor=self.staff,
            observers="提议人代表 王女士、居民代表 李先生、社区监督员 张先生",
        )
        counted_at = on_day(self.planned(Stage.VOTING).ends_on, 18)
        StationClosure.objects.filter(station__round=self.round).update(closed_at=counted_at)
        CertifiedTally.objects.filter(round=self.round).update(certified_at=counted_at)

    def publicise(self, *, everything):
        """Publish the notice drafted on entering publicity, dated on the plan's first day."""
        notice = self.round.notices.get(status=PublicityNotice.Status.DRAFT)
        starts_on = self.planned(Stage.PUBLICITY).starts_on
        notice_update(
            notice=notice,
            changes={
                "objection_address": f"{self.round.community.name}党群服务中心一楼服务窗口",
                "objection_phone": "0512-65201234",
                "issued_on": starts_on,
            },
            actor=self.staff,
        )
        notice_publish(notice=notice, actor=self.staff)
        PublicityNotice.objects.filter(pk=notice.pk).update(published_at=on_day(starts_on, 10))


STAGE_WORK = {
    Stage.PLAN: DemoRound.comment_on_plan,
    Stage.COLLECTION: DemoRound.collect,
    Stage.SCREENING: DemoRound.screen,
    Stage.VOTING: DemoRound.vote,
    Stage.PUBLICITY: DemoRound.publicise,
}


def demo_officer(username):
    officer, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": f"投票站工作人员{username[-1]}"}
    )
    if created:
        officer.set_password(DEMO_PASSWORD)
        officer.save()
    return officer


def demo_id_number(serial):
    """Return a well-formed 居民身份证 number for a made-up resident of 吴中区."""
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=serial * 37 % 20000)
    body = f"320506{born:%Y%m%d}{serial % 1000:03d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, ID_CARD_WEIGHTS, strict=True))
    return body + ID_CARD_CHECK[total % 11]
