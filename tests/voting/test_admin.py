"""The voting admin as each role sees it: rows in scope, eligible officers, refusals not 500s."""

import datetime

import pytest
from django.urls import reverse

from rounds.models import Stage
from tests.admin_support import error_messages, form_data
from tests.factories import (
    BallotItemFactory,
    BallotStationFactory,
    DepartmentFactory,
    RoundFactory,
    RoundtableFactory,
    UserFactory,
    put_at,
    settle_vote,
    staff_user,
    station_officer,
)
from voting.exceptions import VotingError
from voting.models import BallotStation, Lot, StationOfficer
from voting.services import station_officer_add, station_update

pytestmark = pytest.mark.django_db

MODELS = [
    "proposals_roundtable",
    "proposals_ballotitem",
    "voting_lot",
    "voting_ballotstation",
    "voting_certifiedtally",
]
STAFF = ["superuser", "district", "street", "community"]


def fill(round):
    """Give ``round`` (in voting) one row of each model, its tally certified."""
    RoundtableFactory(round=round)
    BallotItemFactory(round=round)
    BallotStationFactory(round=round)
    Lot.objects.create(round=round, order=["1"], witnesses="居民代表", recorded_by=UserFactory())
    settle_vote(round)
    return round


@pytest.fixture
def ours(round):
    return fill(round)


@pytest.fixture
def theirs():
    return fill(put_at(RoundFactory(title="别的社区的轮次"), Stage.VOTING))


@pytest.fixture
def users(round):
    community = round.community
    return {
        "superuser": UserFactory(is_superuser=True),
        "district": staff_user("district", community.street.district),
        "street": staff_user("street", community.street),
        "community": staff_user("community", community),
        "department": staff_user("department", DepartmentFactory(street=community.street)),
        "officer": station_officer(BallotStationFactory(round=round)),
    }


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("role", STAFF)
def test_voting_admin_lists_show_staff_the_rows_in_their_scope(
    client, users, ours, theirs, model, role
):
    client.force_login(users[role])

    response = client.get(reverse(f"admin:{model}_changelist"))

    assert response.status_code == 200
    page = response.content.decode()
    assert ours.title in page
    assert (theirs.title in page) == (role == "superuser")


@pytest.mark.parametrize("model", MODELS)
def test_voting_admin_lists_are_closed_to_departments(client, users, ours, model):
    client.force_login(users["department"])

    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 403


@pytest.mark.parametrize("model", MODELS)
def test_voting_admin_lists_send_officers_to_the_login(client, users, ours, model):
    client.force_login(users["officer"])

    response = client.get(reverse(f"admin:{model}_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response.url


@pytest.fixture
def station(round):
    put_at(round, Stage.SCREENING)
    return BallotStationFactory(round=round)


def station_url(station):
    return reverse("admin:voting_ballotstation_change", args=[station.pk])


def test_station_officer_choices_are_only_eligible_users(client, users, round, station):
    stranger = staff_user("community", RoundFactory().community)
    volunteer = UserFactory(is_staff=False, username="volunteer")
    client.force_login(users["community"])

    page = client.get(station_url(station)).content.decode()

    assert f">{volunteer}</option>" in page
    assert f">{users['community']}</option>" in page
    for refused in (users["superuser"], users["department"], stranger):
        assert f">{refused}</option>" not in page


def test_station_officer_of_another_community_is_refused(station):
    stranger = staff_user("community", RoundFactory().community)

    with pytest.raises(VotingError, match="不能担任"):
        station_officer_add(station=station, fields={"user": stranger, "day": None})


def test_station_officer_is_added_in_the_admin(client, users, station):
    volunteer = UserFactory(is_staff=False, username="volunteer")
    client.force_login(users["community"])
    data = form_data(client, station_url(station), **{"stationofficer_set-0-user": volunteer.pk})

    response = client.post(station_url(station), data)

    assert response.status_code == 302
    assert StationOfficer.objects.filter(station=station, user=volunteer).exists()


def test_station_cannot_move_to_another_round_once_voting_opens(round, station):
    put_at(round, Stage.VOTING)
    other = put_at(RoundFactory(community=round.community, year=2027), Stage.SCREENING)

    with pytest.raises(VotingError, match="轮次"):
        station_update(station=station, changes={"round": other})


def test_station_days_may_change_during_voting_until_it_closes(round, station):
    put_at(round, Stage.VOTING)

    station_update(station=station, changes={"closes_on": datetime.date(2026, 6, 8)})

    station.refresh_from_db()
    assert station.closes_on == datetime.date(2026, 6, 8)


def test_closed_station_cannot_change(round, station):
    put_at(round, Stage.VOTING)
    settle_vote(round)

    with pytest.raises(VotingError, match="已经关闭计票"):
        station_update(station=station, changes={"address": "新地址"})


def test_lot_refused_by_the_service_shows_a_message_not_a_500(client, users, round):
    client.force_login(users["community"])
    url = reverse("admin:voting_lot_add")

    response = client.post(url, {"round": round.pk, "order": "1,99", "witnesses": "居民代表"})

    assert response.status_code == 200
    assert error_messages(response) == ["抽签结果要列出项目库中的项目编码，每个只能出现一次。"]
    assert 'value="1,99"' in response.content.decode()
    assert not Lot.objects.exists()


def test_lot_typed_with_full_width_commas_is_recorded(client, users, round):
    client.force_login(users["community"])

    response = client.post(
        reverse("admin:voting_lot_add"),
        {"round": round.pk, "order": "2，1", "witnesses": "居民代表"},
    )

    assert response.status_code == 302
    assert Lot.objects.get().order == ["2", "1"]


def test_certification_refused_by_the_service_shows_a_message_not_a_500(client, users, round):
    BallotStationFactory(round=round)
    client.force_login(users["community"])

    response = client.post(
        reverse("admin:voting_certifiedtally_add"), {"round": round.pk, "observers": "居民代表"}
    )

    assert response.status_code == 200
    assert "还有投票站没有关闭计票" in error_messages(response)[0]
    assert not BallotStation.objects.filter(closure__isnull=False).exists()


def test_station_form_offers_rounds_before_voting_only(client, users, round):
    planning = RoundFactory(community=round.community, year=2027, title="2027年度 新方案")
    client.force_login(users["community"])

    page = client.get(reverse("admin:voting_ballotstation_add")).content.decode()

    assert planning.title in page
    assert round.title not in page  # in voting: no station is added any more
