"""Who sees which proposals in the admin: departments their own, community staff their community."""

import pytest
from django.urls import reverse

from proposals.models import CostEstimate
from rounds.models import Stage
from tests.factories import (
    DepartmentFactory,
    ProposalFactory,
    RoundFactory,
    put_at,
    screened_in,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def departments(round):
    return DepartmentFactory(street=round.community.street), DepartmentFactory(
        street=round.community.street
    )


@pytest.fixture
def proposals(round, staff, departments):
    """Screened proposals of the round: one for each department, one for nobody yet."""
    put_at(round, Stage.SCREENING)
    ours, theirs = departments
    return {
        "ours": screened_in(ProposalFactory(round=round, department=ours, title="更换路灯"), staff),
        "theirs": screened_in(
            ProposalFactory(round=round, department=theirs, title="修补路面"), staff
        ),
        "nobody": screened_in(ProposalFactory(round=round, title="加装座椅"), staff),
    }


@pytest.fixture
def department_client(client, departments):
    client.force_login(staff_user("department", departments[0]))
    return client


def estimate(client, proposal, department, amount="30000"):
    return client.post(
        reverse("admin:proposals_costestimate_add"),
        {"proposal": proposal.pk, "department": department.pk, "amount": amount, "note": ""},
    )


def test_department_sees_only_the_proposals_given_to_it(department_client, proposals):
    page = department_client.get(reverse("admin:proposals_proposal_changelist")).content.decode()

    assert proposals["ours"].tracking_code in page
    assert proposals["theirs"].tracking_code not in page
    assert proposals["nobody"].tracking_code not in page


def test_department_reads_its_proposal_without_the_proposers_phone(department_client, proposals):
    ours = proposals["ours"]

    page = department_client.get(
        reverse("admin:proposals_proposal_change", args=[ours.pk])
    ).content.decode()

    assert ours.title in page
    assert ours.phone not in page


def test_department_cannot_open_another_departments_proposal(department_client, proposals):
    response = department_client.get(
        reverse("admin:proposals_proposal_change", args=[proposals["theirs"].pk]), follow=True
    )

    assert "修补路面" not in response.content.decode()


def test_department_estimates_the_cost_of_its_own_proposal(
    department_client, proposals, departments
):
    response = estimate(department_client, proposals["ours"], departments[0])

    assert response.status_code == 302
    assert CostEstimate.objects.get().proposal == proposals["ours"]


@pytest.mark.parametrize("whose", ["theirs", "nobody"])
def test_department_cannot_estimate_a_proposal_not_given_to_it(
    department_client, proposals, departments, whose
):
    response = estimate(department_client, proposals[whose], departments[0])

    assert "选择一个有效的选项" in response.content.decode()
    assert not CostEstimate.objects.exists()


def test_department_cannot_estimate_in_another_departments_name(
    department_client, proposals, departments
):
    response = estimate(department_client, proposals["ours"], departments[1])

    assert "选择一个有效的选项" in response.content.decode()
    assert not CostEstimate.objects.exists()


def test_community_staff_cannot_record_cost_estimates(client, staff, proposals, departments):
    client.force_login(staff)

    response = estimate(client, proposals["ours"], departments[0])

    assert response.status_code == 403
    assert not CostEstimate.objects.exists()


def test_staff_of_another_community_see_none_of_this_communitys_proposals(client, proposals):
    client.force_login(staff_user("community", RoundFactory().community))

    page = client.get(reverse("admin:proposals_proposal_changelist")).content.decode()

    for proposal in proposals.values():
        assert proposal.tracking_code not in page
        assert proposal.title not in page


def test_staff_of_another_community_cannot_screen_this_communitys_proposal(client, proposals):
    client.force_login(staff_user("community", RoundFactory().community))

    response = client.post(
        reverse("admin:proposals_proposal_screen", args=[proposals["ours"].pk]),
        {"reason_1": "on", "note_1": "越权筛选"},
    )

    assert response.status_code == 404
    assert proposals["ours"].screenings.count() == 1
