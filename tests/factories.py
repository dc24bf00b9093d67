import datetime
import hashlib
import threading
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.db import connection

from proposals.models import BallotItem, Category, Proposal, Relation
from rounds.models import (
    Community,
    Compound,
    Department,
    District,
    PlannedStage,
    Round,
    StaffRole,
    Street,
)
from rounds.workflow import STEPS
from voting.models import BallotStation, CertifiedTally, StationClosure, StationOfficer

factory.Faker._DEFAULT_LOCALE = "zh_CN"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"测试{n}区")


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"第{n}街道")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"幸福{n}社区")


class CompoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compound

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"{n}号小区")


class RoundFactory(factory.django.DjangoModelFactory):
    """A round in `plan` with an incomplete plan; see ``complete_plan``."""

    class Meta:
        model = Round

    community = factory.SubFactory(CommunityFactory)
    year = 2026
    title = factory.LazyAttribute(lambda r: f"{r.year}年度 {r.community.name} 和谐微实事")
    total_fund = Decimal("300000")
    project_cap = Decimal("50000")
    rules = factory.Faker("paragraph")


def complete_plan(round):
    """Give ``round`` what the plan needs before collection: compounds and eight dated steps."""
    round.compounds.add(CompoundFactory(community=round.community))
    start = datetime.date(round.year, 3, 1)
    for index, stage in enumerate(STEPS):
        starts_on = start + datetime.timedelta(weeks=4 * index)
        PlannedStage.objects.create(
            round=round,
            stage=stage,
            starts_on=starts_on,
            ends_on=starts_on + datetime.timedelta(days=20),
        )
    return round


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("name")
    is_staff = True
    password = factory.django.Password("pw-staff-123")


def staff_user(level, place, **kwargs):
    """Return a staff user whose one role is ``level`` over ``place``."""
    user = UserFactory(**kwargs)
    StaffRole.objects.create(user=user, level=level, **{level: place})
    return user


def put_at(round, stage):
    """Place ``round`` at ``stage`` directly, as if the earlier steps had happened."""
    round.stage = stage
    round.save(update_fields=["stage"])
    return round


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"城建{n}科")


class ProposalFactory(factory.django.DjangoModelFactory):
    """A proposal saved straight to the database, as if submitted; use the services to move it."""

    class Meta:
        model = Proposal

    round = factory.SubFactory(RoundFactory)
    tracking_code = factory.Sequence(lambda n: f"WS-2026-{n + 9000:04d}")
    proposer_name = factory.Faker("name")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    relation = Relation.LIVES
    title = factory.Sequence(lambda n: f"加装{n}号楼休闲座椅")
    category = Category.CONSTRUCTION
    compound = factory.LazyAttribute(lambda p: CompoundFactory(community=p.round.community))
    location = "小区中心花园"
    description = factory.Faker("paragraph")
    beneficiaries = "小区老人和儿童"


def staffed_station(round):
    """Give ``round`` a ballot station open for a week in June, with one officer."""
    station = BallotStation.objects.create(
        round=round,
        name=f"第{round.stations.count() + 1}投票站",
        address="社区服务中心",
        opens_on=datetime.date(round.year, 6, 1),
        closes_on=datetime.date(round.year, 6, 7),
        opens_at=datetime.time(8),
        closes_at=datetime.time(20),
    )
    StationOfficer.objects.create(station=station, user=UserFactory(is_staff=False))
    return station


def settle_vote(round):
    """Close every station of ``round`` with nobody voting and certify the empty tally."""
    for station in round.stations.all():
        StationClosure.objects.create(
            station=station,
            voters_marked=0,
            ballots_counted=0,
            valid=0,
            blank=0,
            invalid=0,
            observers="居民代表",
            digest=hashlib.sha256(b"").hexdigest(),
        )
    return CertifiedTally.objects.create(
        round=round,
        rule=round.tally_rule,
        tie_break=round.tie_break,
        inputs_digest=hashlib.sha256(b"").hexdigest(),
        result={"selected": [], "items": []},
        certified_by=UserFactory(),
        observers="居民代表",
    )


def settle_publicity(round):
    """Give ``round`` a published notice whose publicity period ended yesterday."""
    from django.utils import timezone

    from notices.models import PublicityNotice

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    return PublicityNotice.objects.create(
        round=round,
        title="关于投票结果的公示",
        body="现将投票结果公示如下。",
        rule_text="按得票排序依次入选。",
        total_fund=round.total_fund,
        total_cost=0,
        tally_certified_at=timezone.now(),
        tally_digest=hashlib.sha256(b"").hexdigest(),
        starts_on=yesterday - datetime.timedelta(days=6),
        ends_on=yesterday,
        objection_address="社区党群服务中心",
        issuer="居民委员会",
        issued_on=yesterday,
        status=PublicityNotice.Status.PUBLISHED,
        published_at=timezone.now(),
        published_by=UserFactory(),
    )


def ready_library(round):
    """Give ``round`` in screening what voting needs: a costed ballot item, a staffed station."""
    staffed_station(round)
    return BallotItem.objects.create(
        round=round,
        number=round.ballot_items.count() + 1,
        ref=str(round.ballot_items.count() + 1),
        title="更换路灯",
        description="更换小区主干道路灯",
        cost=Decimal("20000"),
        category=Category.PUBLIC_SAFETY,
        location="主干道",
    )


class RoundtableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "proposals.Roundtable"

    round = factory.SubFactory(RoundFactory)
    held_on = datetime.date(2026, 5, 10)
    place = "社区党群服务中心"
    attendees = "居民代表、项目顾问、职能部门"
    attendee_count = 15
    minutes = "逐条协商居民提议"
    decision_text = "按推荐顺序入库"


def screened_in(proposal, actor):
    """Pass ``proposal`` through the 七不入 screening; its round must be in screening."""
    from proposals.services import proposal_screen

    proposal_screen(proposal=proposal, actor=actor)
    proposal.refresh_from_db()
    return proposal


def recommended(proposal, actor, order=1):
    """Screen ``proposal`` in and have the round's roundtable recommend it for the ballot."""
    from proposals.services import roundtable_decide

    screened_in(proposal, actor)
    roundtable = proposal.round.roundtables.first() or RoundtableFactory(round=proposal.round)
    roundtable_decide(
        roundtable=roundtable, proposal=proposal, on_ballot=True, recommended_order=order
    )
    proposal.refresh_from_db()
    return proposal


def image_bytes(format="JPEG", size=(64, 48), **save_options):
    """Return a small real picture encoded as ``format``, made in memory."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format=format, **save_options)
    return buffer.getvalue()


def image_upload(name="photo.jpg", format="JPEG", **kwargs):
    """Return an uploaded file holding a real picture, as a browser would send it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = image_bytes(format, **kwargs)
    return SimpleUploadedFile(name, content, content_type=f"image/{format.lower()}")


SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))  # Asia/Shanghai keeps UTC+8 all year


def local_time(*args):
    """Return an aware datetime on the community's clock (Asia/Shanghai)."""
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def id_card_number(serial=1, born="19900101", region="110105"):
    """Return a 居民身份证 number whose GB 11643 check digit is computed here, not by the app.

    The weight of the i-th digit counted from the right (the check digit is the 1st) is
    2^(i-1) mod 11; the check digit makes the weighted sum ≡ 1 (mod 11), 10 written "X".
    """
    body = f"{region}{born}{serial:03d}"
    total = sum(int(digit) * (2 ** (17 - index) % 11) for index, digit in enumerate(body))
    check = (12 - total % 11) % 11
    return body + ("X" if check == 10 else str(check))


class BallotItemFactory(factory.django.DjangoModelFactory):
    """An item of a round's project library, numbered after the ones already there."""

    class Meta:
        model = BallotItem

    round = factory.SubFactory(RoundFactory)
    number = factory.LazyAttribute(lambda item: item.round.ballot_items.count() + 1)
    ref = factory.LazyAttribute(lambda item: str(item.number))
    title = factory.Sequence(lambda n: f"改造{n}号楼前空地")
    description = "平整场地，铺设透水砖，增设座椅"
    cost = Decimal("20000")
    category = Category.CONSTRUCTION
    location = "小区中心花园"


class BallotStationFactory(factory.django.DjangoModelFactory):
    """A tablet station open 1–7 June 2026, 9:00–17:00."""

    class Meta:
        model = "voting.BallotStation"

    round = factory.SubFactory(RoundFactory)
    name = factory.Sequence(lambda n: f"第{n}投票站")
    address = "社区党群服务中心一楼"
    mode = "tablet"
    opens_on = datetime.date(2026, 6, 1)
    closes_on = datetime.date(2026, 6, 7)
    opens_at = datetime.time(9)
    closes_at = datetime.time(17)


def station_officer(station, day=None, **kwargs):
    """Return a new user on duty at ``station`` on ``day``, or on every day when ``day`` is None."""
    from voting.models import StationOfficer

    user = UserFactory(is_staff=False, **kwargs)
    StationOfficer.objects.create(station=station, user=user, day=day)
    return user


def during_opening(station):
    """Return a moment when ``station`` is open: half an hour after it opens on its first day."""
    opening = datetime.datetime.combine(station.opens_on, station.opens_at, tzinfo=SHANGHAI)
    return opening + datetime.timedelta(minutes=30)


def cast(station, officer, refs, voter=1, now=None):
    """Have the holder of ID card number ``voter`` vote for ``refs`` at a tablet ``station``."""
    from voting.identity import DocumentType, voter_key
    from voting.services import ballot_cast

    return ballot_cast(
        station=station,
        officer=officer,
        relation=Relation.LIVES,
        voter_key=voter_key(station.round, DocumentType.ID_CARD, id_card_number(voter)),
        refs=refs,
        now=now or during_opening(station),
    )


def run_together(*calls):
    """Run each call in a thread of its own, with its own database connection; wait for all."""

    def on_own_connection(call):
        try:
            call()
        finally:
            connection.close()

    threads = [threading.Thread(target=on_own_connection, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
