"""The public proposal list, the project library and the round page's proposal button."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from proposals.models import Category, NegativeListReason, Status
from proposals.services import ballot_item_create, proposal_screen, proposals_merge
from rounds.models import Stage
from tests.factories import CompoundFactory, ProposalFactory, put_at, recommended, screened_in

pytestmark = pytest.mark.django_db

PEOPLE = {
    "seats": ("王小明", "13812345678"),
    "benches": ("李大伟", "13987654321"),
    "gas": ("张建国", "13700001111"),
    "pool": ("欧阳春花", "15911112222"),
    "wall": ("赵敏", "18633334444"),
    "lights": ("孙丽娟", "13566667777"),
}


def reason(number):
    return NegativeListReason.objects.get(number=number)


@pytest.fixture
def proposals(round, staff):
    """Six proposals of a round in screening, with every kind of visible outcome so far."""
    put_at(round, Stage.SCREENING)
    east, west = round.compounds.get(), CompoundFactory(community=round.community, name="西苑")
    titles = {
        "seats": ("加装休闲座椅", Category.CONSTRUCTION, east),
        "benches": ("中心花园放长椅", Category.CONSTRUCTION, east),
        "gas": ("更换燃气管道", Category.PUBLIC_SAFETY, west),
        "pool": ("修建游泳池", Category.CONSTRUCTION, west),
        "wall": ("粉刷自家外墙", Category.REMEDIATION, east),
        "lights": ("增设楼道声控灯", Category.PUBLIC_SAFETY, west),
    }
    made = {
        key: ProposalFactory(
            round=round,
            title=title,
            category=category,
            compound=compound,
            proposer_name=PEOPLE[key][0],
            phone=PEOPLE[key][1],
        )
        for key, (title, category, compound) in titles.items()
    }
    screened_in(made["seats"], staff)
    proposals_merge(into=made["seats"], sources=[made["benches"]], actor=staff)
    proposal_screen(
        proposal=made["gas"], actor=staff, exclusions=[(reason(2), "由燃气公司负责更换")]
    )
    proposal_screen(
        proposal=made["pool"],
        actor=staff,
        exclusions=[(reason(2), "需体育部门立项"), (reason(7), "估算约300万元")],
    )
    proposal_screen(proposal=made["wall"], actor=staff, exclusions=[(reason(1), "先记错了理由")])
    proposal_screen(proposal=made["wall"], actor=staff, exclusions=[(reason(6), "外墙属私人产权")])
    for proposal in made.values():
        proposal.refresh_from_db()
    return made


def list_page(client, round, **filters):
    url = reverse("proposals:round_proposals", args=[round.pk])
    return client.get(url, filters).content.decode()


def card(page, proposal):
    """Return the HTML of ``proposal``'s card on the list page."""
    return next(c for c in page.split("<article")[1:] if proposal.tracking_code in c)


def listed(page, proposals):
    """Return the keys of ``proposals`` that have a card on the list page."""
    headings = re.findall(r"<h2[^>]*>(?:<a [^>]*>)?([^<]*)<", "".join(page.split("<article")[1:]))
    return {key for key, proposal in proposals.items() if proposal.title in headings}


@pytest.mark.parametrize(
    "filtered_by",
    ["nothing", "status=merged", "status=excluded", "category=construction", "compound"],
)
def test_list_never_shows_a_phone_number_or_full_name(client, round, proposals, filtered_by):
    filters = dict([filtered_by.split("=")]) if "=" in filtered_by else {}
    if filtered_by == "compound":
        filters = {"compound": proposals["gas"].compound_id}

    page = list_page(client, round, **filters)

    assert "<article" in page
    for name, phone in PEOPLE.values():
        assert name not in page
        assert phone not in page


def test_list_shows_proposers_with_masked_names(client, round, proposals):
    page = list_page(client, round)

    assert "提议人 张**" in card(page, proposals["gas"])
    assert "提议人 欧***" in card(page, proposals["pool"])
    assert "提议人 赵*" in card(page, proposals["wall"])


def test_merged_target_credits_every_proposer(client, round, proposals):
    page = list_page(client, round)

    assert "王**、李**" in card(page, proposals["seats"])


def test_merged_proposal_says_which_proposal_it_went_into(client, round, proposals):
    seats = proposals["seats"]

    benches = card(list_page(client, round), proposals["benches"])

    assert str(Status.MERGED.label) in benches
    assert f"与 {seats.tracking_code}「{seats.title}」合并" in benches


def test_excluded_proposal_shows_its_negative_list_reason_and_note(client, round, proposals):
    gas = card(list_page(client, round), proposals["gas"])

    assert "七不入第2条 · 有其他责任主体（如电力、燃气公司）" in gas
    assert "由燃气公司负责更换" in gas


def test_rescreened_proposal_shows_only_its_latest_reason(client, round, proposals):
    wall = card(list_page(client, round), proposals["wall"])

    assert "七不入第6条" in wall and "外墙属私人产权" in wall
    assert "七不入第1条" not in wall and "先记错了理由" not in wall


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"category": "public_safety"}, {"gas", "lights"}),
        ({"status": "excluded"}, {"gas", "pool", "wall"}),
        ({"status": "merged"}, {"benches"}),
        ({"category": "construction", "status": "screened_in"}, {"seats"}),
        ({}, set(PEOPLE)),
    ],
)
def test_list_filters_by_category_and_status(client, round, proposals, filters, expected):
    page = list_page(client, round, **filters)

    assert listed(page, proposals) == expected


def test_list_filters_by_compound(client, round, proposals):
    page = list_page(client, round, compound=proposals["gas"].compound_id)

    assert listed(page, proposals) == {"gas", "pool", "lights"}
    assert "共 3 条提议" in page


def test_list_counts_proposals_by_outcome(client, round, proposals):
    page = list_page(client, round, status="merged")

    counts = page.split('class="list-inline mb-2 outcome-counts"')[1].split("</ul>")[0]
    for status, count in [
        (Status.SUBMITTED, 1),
        (Status.SCREENED_IN, 1),
        (Status.EXCLUDED, 3),
        (Status.MERGED, 1),
    ]:
        assert f"{status.label}：{count}" in counts
    assert str(Status.ON_BALLOT.label) not in counts


def test_chart_counts_each_negative_list_reason_of_current_exclusions(client, round, proposals):
    page = list_page(client, round)

    chart = re.search(r'<ul class="exclusion-chart.*?</ul>', page, re.S).group(0)
    bars = re.findall(r'<li class="mb-2"><div>(\d)\. .*?<strong>(\d+)</strong>.*?value="(\d+)"', chart, re.S)
    assert all(count == drawn for _number, count, drawn in bars)  # the bar shows the count written
    bars = [(number, count) for number, count, _drawn in bars]
    assert {int(number): int(count) for number, count in bars} == {
        1: 0,
        2: 2,
        3: 0,
        4: 0,
        5: 0,
        6: 1,
        7: 1,
    }


def test_library_before_voting_says_when_it_is_published(client, round, staff):
    put_at(round, Stage.SCREENING)
    on_ballot = recommended(ProposalFactory(round=round), staff)
    ballot_item_create(
        round=round,
        proposals=[on_ballot],
        title="更换路灯",
        description="更换主干道路灯",
        category="public_safety",
        location="主干道",
        cost=Decimal("20000"),
    )

    page = client.get(reverse("proposals:library", args=[round.pk])).content.decode()

    assert "项目库在居民投票开始时公布" in page
    assert "更换路灯" not in page


def test_library_in_voting_lists_items_with_costs_and_masked_proposers(client, round, staff):
    put_at(round, Stage.SCREENING)
    for order, (title, cost) in enumerate([("更换路灯", "20000"), ("加装座椅", "8500.5")], start=1):
        proposal = recommended(
            ProposalFactory(round=round, proposer_name="王小明", phone="13812345678"), staff, order
        )
        ballot_item_create(
            round=round,
            proposals=[proposal],
            title=title,
            description="说明",
            category="public_safety",
            location="主干道",
            cost=Decimal(cost),
        )
    put_at(round, Stage.VOTING)

    page = client.get(reverse("proposals:library", args=[round.pk])).content.decode()

    assert "1. 更换路灯" in page and "20,000 元" in page
    assert "2. 加装座椅" in page and "8,500.50 元" in page
    assert "王**" in page
    assert "王小明" not in page and "13812345678" not in page


@pytest.mark.parametrize("stage", list(Stage))
def test_round_page_offers_to_propose_only_during_collection(client, round, stage):
    put_at(round, stage)

    page = client.get(round.get_absolute_url()).content.decode()

    offered = "我要提议" in page or reverse("proposals:create", args=[round.pk]) in page
    assert offered == (stage == Stage.COLLECTION)


@pytest.mark.parametrize("value", ["\u00b2", "\u1369", "9" * 5000, "9" * 25, "abc"])
def test_compound_filter_with_a_value_no_compound_has_shows_the_list(client, round, value):
    response = client.get(
        reverse("proposals:round_proposals", args=[round.pk]), {"compound": value}
    )

    assert response.status_code == 200
