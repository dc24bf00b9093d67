"""The secret ballot: nothing stored links a ballot to a voter, a time or an order of casting."""

import itertools
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, models

from proposals.models import BallotItem
from rounds.models import Round, Stage
from tests.factories import (
    BallotItemFactory,
    BallotStationFactory,
    RoundFactory,
    cast,
    id_card_number,
    put_at,
    station_officer,
)
from voting.identity import DocumentType, voter_key
from voting.models import Ballot, BallotChoice, BallotStation, VoterMark
from voting.services import station_close

TIME_FIELDS = (
    models.DateField,
    models.TimeField,
    models.DurationField,
)  # DateTimeField is a DateField


def related_models(model):
    return {field.related_model for field in model._meta.get_fields() if field.is_relation}


def columns(table):
    with connection.cursor() as cursor:
        return connection.introspection.get_table_description(cursor, table)


def column_types(table):
    return {
        column.name: connection.introspection.get_field_type(column.type_code, column)
        for column in columns(table)
    }


def test_ballot_stores_only_its_id_round_station_and_kind():
    stored = {field.name for field in Ballot._meta.concrete_fields}

    assert stored == {"id", "round", "station", "kind"}


def test_ballot_has_no_link_to_a_voter_mark_or_a_user():
    linked = related_models(Ballot)

    assert VoterMark not in linked
    assert get_user_model() not in linked
    assert linked == {Round, BallotStation, BallotItem, BallotChoice}


@pytest.mark.parametrize("model", [Ballot, BallotChoice])
def test_ballot_and_its_choices_have_no_date_or_time(model):
    assert not [field.name for field in model._meta.get_fields() if isinstance(field, TIME_FIELDS)]


def test_ballot_id_is_a_random_uuid():
    field = Ballot._meta.pk

    assert isinstance(field, models.UUIDField)
    assert field.default is uuid.uuid4


def test_ballot_choice_is_keyed_by_ballot_and_item_only():
    pk = BallotChoice._meta.pk

    assert isinstance(pk, models.CompositePrimaryKey)
    assert [field.name for field in pk.fields] == ["ballot", "item"]
    assert {field.name for field in BallotChoice._meta.concrete_fields} == {"ballot", "item"}


def test_voter_mark_keeps_the_day_but_no_time():
    day = VoterMark._meta.get_field("day")
    times = [
        field.name
        for field in VoterMark._meta.get_fields()
        if isinstance(field, TIME_FIELDS) and type(field) is not models.DateField
    ]

    assert type(day) is models.DateField
    assert not times


def test_voter_mark_has_no_link_to_a_ballot():
    assert Ballot not in related_models(VoterMark)
    assert BallotChoice not in related_models(VoterMark)


def test_voter_mark_stores_only_the_key_not_the_document():
    stored = {field.name for field in VoterMark._meta.concrete_fields}

    assert stored == {"id", "round", "voter_key", "station", "relation", "day"}


@pytest.mark.django_db
def test_ballots_cast_one_after_another_get_unordered_random_ids():
    round = put_at(RoundFactory(), Stage.VOTING)
    BallotItemFactory(round=round)
    station = BallotStationFactory(round=round)
    officer = station_officer(station)

    ids = [cast(station, officer, ["1"], voter=voter).pk for voter in range(1, 51)]

    assert all(ballot_id.version == 4 for ballot_id in ids)
    assert sorted(ids) != ids
    assert sorted(ids, key=lambda ballot_id: ballot_id.int) != ids


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("table", ["voting_ballot", "voting_ballotchoice"])
def test_ballot_tables_have_no_sequence(table):
    with connection.cursor() as cursor:
        sequences = connection.introspection.get_sequences(cursor, table)

    assert sequences == []
    assert not [column.name for column in columns(table) if column.is_autofield]
    assert not [column.name for column in columns(table) if "nextval" in (column.default or "")]


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("table", ["voting_ballot", "voting_ballotchoice"])
def test_ballot_tables_have_no_date_or_time_column(table):
    assert not [
        name
        for name, kind in column_types(table).items()
        if kind in {"DateField", "DateTimeField", "TimeField", "DurationField"}
    ]


@pytest.mark.postgres
@pytest.mark.django_db
def test_ballot_choice_table_is_keyed_by_ballot_and_item():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "voting_ballotchoice")
    primary = [c["columns"] for c in constraints.values() if c["primary_key"]]

    assert set(column_types("voting_ballotchoice")) == {"ballot_id", "item_id"}
    assert primary == [["ballot_id", "item_id"]]


@pytest.mark.postgres
@pytest.mark.django_db
def test_ballot_table_refers_only_to_the_round_and_the_station():
    with connection.cursor() as cursor:
        relations = connection.introspection.get_relations(cursor, "voting_ballot")

    assert {column: relation[1] for column, relation in relations.items()} == {
        "round_id": "rounds_round",
        "station_id": "voting_ballotstation",
    }


@pytest.mark.postgres
@pytest.mark.django_db
def test_voter_mark_table_has_a_date_but_no_time_and_no_ballot():
    types = column_types("voting_votermark")
    with connection.cursor() as cursor:
        relations = connection.introspection.get_relations(cursor, "voting_votermark")

    assert types["day"] == "DateField"
    assert not [name for name, kind in types.items() if kind in {"DateTimeField", "TimeField"}]
    assert "voting_ballot" not in {relation[1] for relation in relations.values()}


VOTERS = 30


def distinct_choices(count):
    """Return ``count`` different tick lists over items 1–6, at most three ticks each."""
    refs = [str(number) for number in range(1, 7)]
    lists = [list(ticks) for size in (1, 2, 3) for ticks in itertools.combinations(refs, size)]
    return lists[:count]


@pytest.fixture
def voted():
    """A tablet station where voters 0…29 voted in that order, each a different tick list.

    Return (station, officer, {voter key: voter}, {frozenset of refs: voter}).
    """
    round = put_at(RoundFactory(max_choices=3), Stage.VOTING)
    BallotItemFactory.create_batch(6, round=round)
    station = BallotStationFactory(round=round)
    officer = station_officer(station)
    by_key, by_choice = {}, {}
    for voter, refs in enumerate(distinct_choices(VOTERS)):
        cast(station, officer, refs, voter=voter + 1)
        by_key[voter_key(round, DocumentType.ID_CARD, id_card_number(voter + 1))] = voter
        by_choice[frozenset(refs)] = voter
    return station, officer, by_key, by_choice


def rows(sql, station):
    with connection.cursor() as cursor:
        cursor.execute(sql, [station.pk])
        return cursor.fetchall()


def marks_in_physical_order(station, by_key):
    """Return the voters of the station's marks, in the order of their ctid."""
    sql = "SELECT voter_key FROM voting_votermark WHERE station_id = %s ORDER BY ctid"
    return [by_key[key] for (key,) in rows(sql, station)]


def ballots_in_physical_order(station, by_choice):
    """Return the voters of the station's ballots, in the order of their ctid."""
    sql = """
        SELECT string_agg(item.ref, ',') FROM voting_ballot ballot
        JOIN voting_ballotchoice choice ON choice.ballot_id = ballot.id
        JOIN proposals_ballotitem item ON item.id = choice.item_id
        WHERE ballot.station_id = %s GROUP BY ballot.id, ballot.ctid ORDER BY ballot.ctid
    """
    return [by_choice[frozenset(refs.split(","))] for (refs,) in rows(sql, station)]


def close_station(station, officer):
    return station_close(station=station, actor=officer, officers=[officer], observers="李**")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_tablet_mark_and_ballot_are_written_in_different_transactions(voted):
    station, _officer, by_key, by_choice = voted
    mark_xmins = rows("SELECT xmin::text FROM voting_votermark WHERE station_id = %s", station)
    ballot_xmins = rows("SELECT xmin::text FROM voting_ballot WHERE station_id = %s", station)

    assert len(set(mark_xmins)) == len(set(ballot_xmins)) == VOTERS
    assert not set(mark_xmins) & set(ballot_xmins)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_after_closure_marks_ballots_and_choices_share_the_closure_xmin(voted):
    station, officer, _by_key, _by_choice = voted

    close_station(station, officer)

    sql = """
        SELECT xmin::text FROM voting_votermark WHERE station_id = %(station)s
        UNION SELECT xmin::text FROM voting_ballot WHERE station_id = %(station)s
        UNION SELECT choice.xmin::text FROM voting_ballotchoice choice
            JOIN voting_ballot ballot ON ballot.id = choice.ballot_id
            WHERE ballot.station_id = %(station)s
        UNION SELECT xmin::text FROM voting_stationclosure WHERE station_id = %(station)s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"station": station.pk})
        assert len(cursor.fetchall()) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_after_closure_ballots_are_not_stored_in_voting_order(voted):
    station, officer, _by_key, by_choice = voted
    voting_order = list(range(VOTERS))
    assert ballots_in_physical_order(station, by_choice) == voting_order  # before: they are

    close_station(station, officer)

    after = ballots_in_physical_order(station, by_choice)
    assert sorted(after) == voting_order
    assert after not in (voting_order, voting_order[::-1])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_after_closure_marks_are_not_stored_or_numbered_in_voting_order(voted):
    station, officer, by_key, _by_choice = voted
    voting_order = list(range(VOTERS))
    before_ids = set(station.voter_marks.values_list("id", flat=True))

    close_station(station, officer)

    keys = station.voter_marks.order_by("id").values_list("voter_key", flat=True)
    by_id = [by_key[key] for key in keys]
    assert marks_in_physical_order(station, by_key) not in (voting_order, voting_order[::-1])
    assert by_id not in (voting_order, voting_order[::-1])
    assert not before_ids & set(station.voter_marks.values_list("id", flat=True))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_after_closure_ballots_have_fresh_random_ids(voted):
    station, officer, _by_key, _by_choice = voted
    before = set(station.ballots.values_list("id", flat=True))

    close_station(station, officer)

    after = set(station.ballots.values_list("id", flat=True))
    assert len(after) == VOTERS
    assert not before & after
    assert all(ballot_id.version == 4 for ballot_id in after)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_after_closure_physical_neighbours_do_not_pair_marks_with_ballots(voted):
    """The i-th mark on disk is not the i-th ballot's voter, nor next to it, beyond chance."""
    station, officer, by_key, by_choice = voted
    assert marks_in_physical_order(station, by_key) == ballots_in_physical_order(
        station, by_choice
    )  # before: the n-th mark and the n-th ballot are the same voter's

    close_station(station, officer)

    marks = marks_in_physical_order(station, by_key)
    ballots = ballots_in_physical_order(station, by_choice)
    mark_place = {voter: place for place, voter in enumerate(marks)}
    ballot_place = {voter: place for place, voter in enumerate(ballots)}
    near = [voter for voter in mark_place if abs(mark_place[voter] - ballot_place[voter]) <= 1]
    # By chance about 3 of 30 are within one place; 15 would happen once in billions.
    assert len(near) < VOTERS // 2


@pytest.mark.django_db
def test_mark_without_a_ballot_is_counted_as_registered_not_voted(voted):
    station, officer, _by_key, _by_choice = voted
    # The voter was registered, then the ballot was never cast (the tablet was dropped).
    VoterMark.objects.create(
        round=station.round,
        station=station,
        voter_key="0" * 64,
        relation="lives",
        day=station.opens_on,
    )

    closure = close_station(station, officer)

    assert (closure.voters_marked, closure.ballots_counted, closure.not_voted) == (31, 30, 1)
    assert closure.explanation == ""


@pytest.mark.django_db
def test_closure_keeps_every_ballot_and_its_choices(voted):
    station, officer, _by_key, by_choice = voted

    close_station(station, officer)

    ballots = station.ballots.all()
    assert {frozenset(ballot.items.values_list("ref", flat=True)) for ballot in ballots} == set(
        by_choice
    )
    assert station.voter_marks.count() == VOTERS
