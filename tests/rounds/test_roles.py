"""The staff role matrix: each role sees and changes only its own part of the geography."""

import pytest
from django.urls import reverse

from rounds.models import Round
from tests.factories import (
    CommunityFactory,
    CompoundFactory,
    RoundFactory,
    StreetFactory,
    UserFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db

ROUNDS = ["own community", "same street", "same district", "other district"]
VISIBLE = {
    "superuser": set(ROUNDS),
    "district": {"own community", "same street", "same district"},
    "street": {"own community", "same street"},
    "community": {"own community"},
}


@pytest.fixture
def world():
    own = CommunityFactory()
    neighbour = CommunityFactory(street=own.street)
    same_district = CommunityFactory(street=StreetFactory(district=own.street.district))
    elsewhere = CommunityFactory()
    communities = dict(zip(ROUNDS, [own, neighbour, same_district, elsewhere], strict=True))
    for label, community in communities.items():
        RoundFactory(community=community, title=f"轮次·{label}")
        CompoundFactory(community=community, name=f"小区·{label}")
    users = {
        "superuser": UserFactory(is_superuser=True),
        "district": staff_user("district", own.street.district),
        "street": staff_user("street", own.street),
        "community": staff_user("community", own),
    }
    return communities, users


@pytest.mark.parametrize("role", VISIBLE)
def test_round_list_shows_only_rounds_in_scope(client, world, role):
    _, users = world
    client.force_login(users[role])

    page = client.get(reverse("admin:rounds_round_changelist")).content.decode()

    shown = {label for label in ROUNDS if f"轮次·{label}" in page}
    assert shown == VISIBLE[role]


@pytest.mark.parametrize("role", VISIBLE)
@pytest.mark.parametrize("label", ROUNDS)
def test_round_change_page_opens_only_in_scope(client, world, role, label):
    _, users = world
    client.force_login(users[role])
    round = Round.objects.get(title=f"轮次·{label}")

    response = client.get(reverse("admin:rounds_round_change", args=[round.pk]), follow=True)

    assert (f"轮次·{label}" in response.content.decode()) == (label in VISIBLE[role])


@pytest.mark.parametrize("role", VISIBLE)
def test_compound_list_shows_only_compounds_in_scope(client, world, role):
    _, users = world
    client.force_login(users[role])

    page = client.get(reverse("admin:rounds_compound_changelist")).content.decode()

    assert {label for label in ROUNDS if f"小区·{label}" in page} == VISIBLE[role]


@pytest.mark.parametrize(
    ("role", "status"), [("superuser", 200), ("district", 200), ("street", 200), ("community", 403)]
)
def test_only_street_level_and_up_may_open_the_street_list(client, world, role, status):
    _, users = world
    client.force_login(users[role])

    assert client.get(reverse("admin:rounds_street_changelist")).status_code == status


@pytest.mark.parametrize("role", ["district", "street", "community"])
def test_staff_cannot_manage_staff_roles(client, world, role):
    _, users = world
    client.force_login(users[role])

    assert client.get(reverse("admin:rounds_staffrole_changelist")).status_code == 403


def test_community_staff_cannot_create_a_round_for_another_community(client, world):
    communities, users = world
    client.force_login(users["community"])

    response = client.post(
        reverse("admin:rounds_round_add"),
        {
            "community": communities["same street"].pk,
            "year": 2027,
            "title": "越权创建的轮次",
            "total_fund": "100000",
            "project_cap": "20000",
            "rules": "",
            "max_choices": "3",
            "tally_rule": "stop",
            "tie_break": "order",
            "planned_stages-TOTAL_FORMS": "0",
            "planned_stages-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Round.objects.filter(title="越权创建的轮次").exists()


def test_community_staff_can_create_a_round_for_their_community(client, world):
    communities, users = world
    client.force_login(users["community"])

    response = client.post(
        reverse("admin:rounds_round_add"),
        {
            "community": communities["own community"].pk,
            "year": 2027,
            "title": "2027年度 新轮次",
            "total_fund": "100000",
            "project_cap": "20000",
            "rules": "",
            "max_choices": "3",
            "tally_rule": "stop",
            "tie_break": "order",
            "planned_stages-TOTAL_FORMS": "0",
            "planned_stages-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    assert Round.objects.get(title="2027年度 新轮次").community == communities["own community"]


def test_staff_without_a_role_sees_no_rounds(client, world):
    client.force_login(UserFactory())

    assert client.get(reverse("admin:rounds_round_changelist")).status_code == 403
