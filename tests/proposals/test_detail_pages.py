"""The public page of each proposal and of each ballot item, linked from the lists."""

from decimal import Decimal

import pytest
from django.urls import reverse

from proposals.models import NegativeListReason
from proposals.services import ballot_item_create, proposal_screen
from rounds.models import Stage
from tests.factories import ProposalFactory, put_at, recommended

pytestmark = pytest.mark.django_db

NAME, PHONE = "欧阳春花", "15911112222"


@pytest.fixture
def proposal(round):
    return ProposalFactory(
        round=round,
        title="增设楼道声控灯",
        proposer_name=NAME,
        phone=PHONE,
        location="3号楼至5号楼楼道",
        description="楼道夜里太黑，老人上下楼容易摔倒。",
        beneficiaries="3至5号楼约200户居民",
        estimated_cost=Decimal("12000"),
    )


def proposal_page(client, round, proposal):
    response = client.get(reverse("proposals:proposal", args=[round.pk, proposal.tracking_code]))
    assert response.status_code == 200
    return response.content.decode()


def test_proposal_page_shows_what_where_why_and_cost(client, round, proposal):
    page = proposal_page(client, round, proposal)

    for fact in [
        "增设楼道声控灯",
        "3号楼至5号楼楼道",
        "楼道夜里太黑，老人上下楼容易摔倒。",
        "3至5号楼约200户居民",
        "12,000 元",
        proposal.compound.name,
    ]:
        assert fact in page


def test_proposal_page_shows_no_personal_data(client, round, proposal):
    page = proposal_page(client, round, proposal)

    assert "欧**" in page
    assert NAME not in page
    assert PHONE not in page and PHONE[-4:] not in page


def test_proposal_page_shows_its_outcome_and_history(client, round, proposal, staff):
    put_at(round, Stage.SCREENING)
    reason = NegativeListReason.objects.get(number=2)
    proposal_screen(proposal=proposal, actor=staff, exclusions=[(reason, "由物业公司负责")])

    page = proposal_page(client, round, proposal)

    assert "七不入第2条" in page and "由物业公司负责" in page
    history = page.split('id="history-heading"')[1]
    assert "七不入筛选未通过" in history and "由物业公司负责" in history


def test_proposal_page_is_not_found_before_collection(client, round, proposal):
    put_at(round, Stage.PLAN)

    url = reverse("proposals:proposal", args=[round.pk, proposal.tracking_code])

    assert client.get(url).status_code == 404


def test_proposal_of_another_round_is_not_found_under_this_round(client, round, proposal):
    other = ProposalFactory()

    url = reverse("proposals:proposal", args=[round.pk, other.tracking_code])

    assert client.get(url).status_code == 404


def test_proposal_list_links_to_each_proposal_page(client, round, proposal):
    page = client.get(reverse("proposals:round_proposals", args=[round.pk])).content.decode()

    assert reverse("proposals:proposal", args=[round.pk, proposal.tracking_code]) in page


@pytest.fixture
def item(round, proposal, staff):
    put_at(round, Stage.SCREENING)
    recommended(proposal, staff)
    item = ballot_item_create(
        round=round,
        proposals=[proposal],
        title="3至5号楼楼道声控灯",
        description="更换12盏老旧声控灯",
        category=proposal.category,
        location=proposal.location,
        cost=Decimal("16500.50"),
    )
    put_at(round, Stage.VOTING)
    return item


def item_url(round, item):
    return reverse("proposals:ballot_item", args=[round.pk, item.ref])


def test_ballot_item_page_shows_the_project_and_where_it_came_from(client, round, proposal, item):
    page = client.get(item_url(round, item)).content.decode()

    for fact in ["3至5号楼楼道声控灯", "更换12盏老旧声控灯", "3号楼至5号楼楼道", "16,500.50 元"]:
        assert fact in page
    assert reverse("proposals:proposal", args=[round.pk, proposal.tracking_code]) in page
    assert "欧**" in page and NAME not in page and PHONE not in page
    assert "已入项目库" in page


def test_ballot_item_page_is_not_found_before_voting(client, round, item):
    put_at(round, Stage.SCREENING)

    assert client.get(item_url(round, item)).status_code == 404


def test_library_and_proposal_page_link_to_the_ballot_item_page(client, round, proposal, item):
    library = client.get(reverse("proposals:library", args=[round.pk])).content.decode()

    assert item_url(round, item) in library
    assert item_url(round, item) in proposal_page(client, round, proposal)
