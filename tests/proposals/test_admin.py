"""Staff in the admin: typing in paper proposals, 七不入 screening, merging, cost estimates."""

import re
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from proposals.exceptions import ProposalError
from proposals.models import (
    BallotItem,
    Category,
    CostEstimate,
    Photo,
    Proposal,
    Roundtable,
    RoundtableOutcome,
    Source,
    Status,
)
from proposals.services import (
    ballot_item_create,
    ballot_item_update,
    proposal_update,
    roundtable_decide,
)
from rounds.models import Stage
from tests.admin_support import error_messages, form_data
from tests.factories import (
    BallotItemFactory,
    DepartmentFactory,
    ProposalFactory,
    RoundFactory,
    RoundtableFactory,
    image_bytes,
    put_at,
    recommended,
    screened_in,
    settle_vote,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def management_forms(page):
    """Return the inline formsets' management fields as the add page renders them."""
    field = r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"[^>]*value="(\d+)"'
    return dict(re.findall(field, page))


def paper_proposal(client, round, compound, **overrides):
    """Return the add page's POST data for a paper proposal typed in by staff."""
    page = client.get(reverse("admin:proposals_proposal_add")).content.decode()
    return {
        **management_forms(page),
        "round": round.pk,
        "source": Source.PROPOSAL_POINT,
        "proposer_name": "李桂英",
        "phone": "139 1234 5678",
        "relation": "lives",
        "organisation": "",
        "title": "修补5栋门前破损路面",
        "category": "remediation",
        "compound": compound.pk,
        "location": "5栋门前",
        "description": "路面坑洼，雨天积水，老人容易滑倒。",
        "beneficiaries": "5栋居民",
        "estimated_cost": "",
        "department": "",
        "consent": "on",
        **overrides,
    }


def test_paper_proposal_with_a_bad_phone_shows_the_error_and_saves_nothing(
    staff_client, round, compound
):
    data = paper_proposal(staff_client, round, compound, phone="12345")

    response = staff_client.post(reverse("admin:proposals_proposal_add"), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "请输入正确的11位手机号码" in page
    assert "修补5栋门前破损路面" in page
    assert not Proposal.objects.exists()


def test_paper_proposal_without_the_signed_consent_saves_nothing(staff_client, round, compound):
    data = paper_proposal(staff_client, round, compound)
    del data["consent"]

    response = staff_client.post(reverse("admin:proposals_proposal_add"), data)

    assert "请确认提议人已同意个人信息说明" in response.content.decode()
    assert not Proposal.objects.exists()


def test_paper_proposal_is_saved_from_the_proposal_point_with_its_tracking_code(
    staff_client, staff, round, compound
):
    data = paper_proposal(staff_client, round, compound)

    response = staff_client.post(reverse("admin:proposals_proposal_add"), data, follow=True)

    proposal = Proposal.objects.get()
    assert (proposal.source, proposal.entered_by, proposal.phone, proposal.status) == (
        Source.PROPOSAL_POINT,
        staff,
        "13912345678",
        Status.SUBMITTED,
    )
    assert "已录入提议，查询码 WS-2026-0001" in response.content.decode()


def test_paper_proposal_for_a_round_not_collecting_is_refused(staff_client, round, compound):
    data = paper_proposal(staff_client, round, compound)
    put_at(round, Stage.SCREENING)

    response = staff_client.post(reverse("admin:proposals_proposal_add"), data)

    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Proposal.objects.exists()


def test_screening_page_records_an_exclusion(staff_client, round):
    put_at(round, Stage.SCREENING)
    proposal = ProposalFactory(round=round)
    url = reverse("admin:proposals_proposal_screen", args=[proposal.pk])

    assert "有其他责任主体" in staff_client.get(url).content.decode()
    response = staff_client.post(url, {"reason_2": "on", "note_2": "路灯归供电公司维护"})

    assert response.url == reverse("admin:proposals_proposal_change", args=[proposal.pk])
    proposal.refresh_from_db()
    assert proposal.status == Status.EXCLUDED
    exclusion = proposal.screenings.get().exclusions.get()
    assert (exclusion.reason.number, exclusion.note) == (2, "路灯归供电公司维护")


def test_screening_result_is_confirmed_on_the_proposal_page(staff_client, round):
    put_at(round, Stage.SCREENING)
    proposal = ProposalFactory(round=round)

    response = staff_client.post(
        reverse("admin:proposals_proposal_screen", args=[proposal.pk]),
        {"reason_2": "on", "note_2": "路灯归供电公司维护"},
        follow=True,
    )

    page = response.content.decode()
    assert "已记录七不入筛选结果" in page
    assert "路灯归供电公司维护" in page


def test_proposal_page_offers_screening_while_the_round_is_screening(staff_client, round):
    put_at(round, Stage.SCREENING)
    proposal = ProposalFactory(round=round)

    page = staff_client.get(
        reverse("admin:proposals_proposal_change", args=[proposal.pk])
    ).content.decode()

    assert reverse("admin:proposals_proposal_screen", args=[proposal.pk]) in page


def test_screening_page_asks_for_a_note_for_each_ticked_reason(staff_client, round):
    put_at(round, Stage.SCREENING)
    proposal = ProposalFactory(round=round)

    response = staff_client.post(
        reverse("admin:proposals_proposal_screen", args=[proposal.pk]), {"reason_5": "on"}
    )

    assert "请写明这条理由的具体说明" in response.content.decode()
    assert not proposal.screenings.exists()


def test_merge_action_asks_for_confirmation_before_merging(staff_client, round):
    put_at(round, Stage.SCREENING)
    first, second = ProposalFactory.create_batch(2, round=round)

    response = staff_client.post(
        reverse("admin:proposals_proposal_changelist"),
        {"action": "merge_selected", ACTION_CHECKBOX_NAME: [first.pk, second.pk]},
    )

    page = response.content.decode()
    assert "确认合并" in page
    assert first.tracking_code in page and second.tracking_code in page
    assert not Proposal.objects.filter(status=Status.MERGED).exists()


def test_merge_action_merges_into_the_chosen_proposal(staff_client, staff, round):
    put_at(round, Stage.SCREENING)
    first, second = ProposalFactory.create_batch(2, round=round)
    screened_in(second, staff)

    response = staff_client.post(
        reverse("admin:proposals_proposal_changelist"),
        {
            "action": "merge_selected",
            ACTION_CHECKBOX_NAME: [first.pk, second.pk],
            "into": second.pk,
        },
        follow=True,
    )

    assert f"已将1条提议合并到 {second.tracking_code}" in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.merged_into) == (Status.MERGED, second)
    assert second.status == Status.SCREENED_IN


def test_cost_estimate_above_the_cap_is_refused_on_the_form(client, round):
    put_at(round, Stage.SCREENING)
    department = DepartmentFactory(street=round.community.street)
    proposal = ProposalFactory(round=round, department=department)
    screened_in(proposal, staff_user("community", round.community))
    client.force_login(staff_user("department", department))

    response = client.post(
        reverse("admin:proposals_costestimate_add"),
        {"proposal": proposal.pk, "department": department.pk, "amount": "60000", "note": ""},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "金额 60,000 元超过了本轮单个项目预算限额 50,000 元" in page
    assert not CostEstimate.objects.exists()


def test_cost_estimate_within_the_cap_is_recorded(client, round):
    put_at(round, Stage.SCREENING)
    department = DepartmentFactory(street=round.community.street)
    proposal = ProposalFactory(round=round, department=department)
    screened_in(proposal, staff_user("community", round.community))
    estimator = staff_user("department", department)
    client.force_login(estimator)

    client.post(
        reverse("admin:proposals_costestimate_add"),
        {"proposal": proposal.pk, "department": department.pk, "amount": "45000", "note": "含材料"},
    )

    estimate = CostEstimate.objects.get()
    assert (estimate.proposal, estimate.amount, estimate.estimated_by) == (
        proposal,
        Decimal("45000"),
        estimator,
    )


def item_url(item):
    return reverse("admin:proposals_ballotitem_change", args=[item.pk])


def test_ballot_item_cost_over_the_cap_is_refused_in_the_admin(staff_client, round):
    put_at(round, Stage.SCREENING)
    item = BallotItemFactory(round=round, cost=Decimal("20000"))

    data = form_data(staff_client, item_url(item), cost="51000")

    response = staff_client.post(item_url(item), data)

    assert response.status_code == 200
    assert error_messages(response) == ["金额 51,000 元超过了本轮单个项目预算限额 50,000 元。"]
    assert 'value="51000"' in response.content.decode()  # the form is kept as typed
    item.refresh_from_db()
    assert item.cost == Decimal("20000")


def test_ballot_item_within_the_cap_is_changed_in_the_admin(staff_client, round):
    put_at(round, Stage.SCREENING)
    item = BallotItemFactory(round=round)

    response = staff_client.post(
        item_url(item), form_data(staff_client, item_url(item), cost="45000", title="新名称")
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.cost, item.title) == (Decimal("45000"), "新名称")


def test_ballot_item_of_a_certified_round_cannot_be_moved_or_repriced(staff_client, round):
    put_at(round, Stage.VOTING)
    item = BallotItemFactory(round=round)
    settle_vote(round)
    put_at(round, Stage.PUBLICITY)
    other = put_at(RoundFactory(community=round.community, year=2027), Stage.SCREENING)

    page = staff_client.get(item_url(item)).content.decode()
    assert 'name="round"' not in page and 'name="cost"' not in page
    staff_client.post(item_url(item), {"round": other.pk, "cost": "1000", "title": "改"})

    item.refresh_from_db()
    assert (item.round, item.cost) == (round, Decimal("20000"))
    with pytest.raises(ProposalError, match="轮次"):
        ballot_item_update(item=item, changes={"round": other})
    with pytest.raises(ProposalError, match="预算"):
        ballot_item_update(item=item, changes={"cost": Decimal("1000")})


def test_ballot_item_cannot_change_once_voting_opens(round):
    put_at(round, Stage.VOTING)
    item = BallotItemFactory(round=round)

    with pytest.raises(ProposalError, match="项目名称"):
        ballot_item_update(item=item, changes={"title": "投票中改名"})


def test_ballot_item_deleted_in_screening_puts_its_proposals_back(staff_client, staff, round):
    put_at(round, Stage.SCREENING)
    proposal = recommended(ProposalFactory(round=round), staff)
    item = ballot_item_create(
        round=round,
        proposals=[proposal],
        title="加装座椅",
        description="中心花园加装座椅",
        category=Category.CONSTRUCTION,
        location="中心花园",
        cost=Decimal("10000"),
    )

    staff_client.post(
        reverse("admin:proposals_ballotitem_delete", args=[item.pk]), {"post": "yes"}
    )

    assert not BallotItem.objects.exists()
    proposal.refresh_from_db()
    assert (proposal.status, proposal.ballot_item) == (Status.SCREENED_IN, None)


def test_ballot_item_delete_during_voting_is_refused_with_a_message(client, superuser, round):
    put_at(round, Stage.VOTING)
    item = BallotItemFactory(round=round)
    client.force_login(superuser)

    response = client.post(
        reverse("admin:proposals_ballotitem_delete", args=[item.pk]), {"post": "yes"}
    )

    assert error_messages(response) == [
        f"「{round}」处于「居民投票，项目共决」阶段，不能再增删项目库条目。"
    ]
    assert BallotItem.objects.filter(pk=item.pk).exists()


def proposal_photo(proposal):
    from django.core.files.base import ContentFile

    return Photo.objects.create(
        proposal=proposal, image=ContentFile(image_bytes(), name="p.jpg"), width=64, height=48
    )


def proposal_url(proposal):
    return reverse("admin:proposals_proposal_change", args=[proposal.pk])


def test_proposal_is_given_a_department_during_screening(staff_client, round):
    put_at(round, Stage.SCREENING)
    proposal = ProposalFactory(round=round)
    department = DepartmentFactory(street=round.community.street)
    page = staff_client.get(proposal_url(proposal)).content.decode()
    assert 'name="round"' not in page  # the round of a proposal never changes

    response = staff_client.post(
        proposal_url(proposal),
        form_data(staff_client, proposal_url(proposal), department=department.pk),
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.department == department


def test_proposal_cannot_change_once_voting_opens(round):
    proposal = ProposalFactory(round=round)
    put_at(round, Stage.VOTING)

    with pytest.raises(ProposalError, match="项目名称"):
        proposal_update(proposal=proposal, changes={"title": "投票中改名"})


def test_staff_typing_a_paper_proposal_start_from_the_proposal_point(staff_client):
    page = staff_client.get(reverse("admin:proposals_proposal_add")).content.decode()

    assert '<option value="proposal_point" selected>' in page


def test_screening_page_shows_what_the_proposal_asks_for(staff_client, round):
    put_at(round, Stage.SCREENING)
    proposal = ProposalFactory(
        round=round, description="路面坑洼，雨天积水", estimated_cost=Decimal("12000")
    )
    proposal_photo(proposal)

    page = staff_client.get(
        reverse("admin:proposals_proposal_screen", args=[proposal.pk])
    ).content.decode()

    assert "路面坑洼，雨天积水" in page
    assert "12,000 元" in page
    assert "<img" in page
    assert '<ol class="breadcrumbs">' in page


ROUNDTABLE_ADD = "admin:proposals_roundtable_add"


def roundtable_data(client, url, **changes):
    return form_data(
        client,
        url,
        held_on="2026-05-10",
        place="社区党群服务中心",
        attendees="居民代表、项目顾问",
        attendee_count="12",
        minutes="逐条协商",
        decision_text="按推荐顺序入库",
        **changes,
    )


def test_roundtable_is_recorded_with_its_outcomes_in_the_admin(staff_client, staff, round):
    put_at(round, Stage.SCREENING)
    proposal = screened_in(ProposalFactory(round=round), staff)
    url = reverse(ROUNDTABLE_ADD)
    data = roundtable_data(
        staff_client,
        url,
        round=round.pk,
        **{"outcomes-0-proposal": proposal.pk, "outcomes-0-on_ballot": "on"},
        **{"outcomes-0-recommended_order": "1"},
    )

    response = staff_client.post(url, data)

    assert response.status_code == 302
    proposal.refresh_from_db()
    outcome = proposal.roundtable_outcome
    assert (outcome.on_ballot, outcome.recommended_order, outcome.roundtable.round) == (
        True,
        1,
        round,
    )


def test_roundtable_outcome_choices_are_the_round_proposals_only(staff_client, staff, round):
    put_at(round, Stage.SCREENING)
    ours = screened_in(ProposalFactory(round=round), staff)
    elsewhere = put_at(RoundFactory(), Stage.SCREENING)
    theirs = screened_in(
        ProposalFactory(round=elsewhere), staff_user("community", elsewhere.community)
    )
    roundtable = RoundtableFactory(round=round)

    for url in (
        reverse(ROUNDTABLE_ADD),
        reverse("admin:proposals_roundtable_change", args=[roundtable.pk]),
    ):
        page = staff_client.get(url).content.decode()
        assert ours.tracking_code in page
        assert theirs.tracking_code not in page


def test_roundtable_outcome_without_a_reason_is_explained_in_chinese(staff_client, staff, round):
    put_at(round, Stage.SCREENING)
    proposal = screened_in(ProposalFactory(round=round), staff)
    url = reverse(ROUNDTABLE_ADD)
    data = roundtable_data(
        staff_client, url, round=round.pk, **{"outcomes-0-proposal": proposal.pk}
    )

    page = staff_client.post(url, data).content.decode()

    assert "未入库的提议要写明理由" in page
    assert "roundtable_outcome_order_or_reason" not in page
    assert not Roundtable.objects.exists()


def test_roundtable_outcome_delete_tick_withdraws_the_outcome(staff_client, staff, round):
    put_at(round, Stage.SCREENING)
    proposal = screened_in(ProposalFactory(round=round), staff)
    roundtable = RoundtableFactory(round=round)
    roundtable_decide(roundtable=roundtable, proposal=proposal, on_ballot=False, reason="重复")
    url = reverse("admin:proposals_roundtable_change", args=[roundtable.pk])

    data = form_data(staff_client, url, **{"outcomes-0-DELETE": "on"})

    response = staff_client.post(url, data)

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Status.SCREENED_IN
    assert not RoundtableOutcome.objects.exists()


def test_roundtable_outcome_moved_to_another_proposal_withdraws_the_first(
    staff_client, staff, round
):
    put_at(round, Stage.SCREENING)
    first = screened_in(ProposalFactory(round=round), staff)
    second = screened_in(ProposalFactory(round=round), staff)
    roundtable = RoundtableFactory(round=round)
    roundtable_decide(roundtable=roundtable, proposal=first, on_ballot=False, reason="与3号重复")
    url = reverse("admin:proposals_roundtable_change", args=[roundtable.pk])

    response = staff_client.post(
        url, form_data(staff_client, url, **{"outcomes-0-proposal": second.pk})
    )

    assert response.status_code == 302
    assert list(RoundtableOutcome.objects.values_list("proposal", flat=True)) == [second.pk]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.SCREENED_IN, Status.NOT_ON_BALLOT)
