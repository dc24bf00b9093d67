"""The secret ballot: nothing stored links a ballot to a voter, a time or an order of casting."""

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
    put_at,
    station_officer,
)
from voting.models import Ballot, BallotChoice, BallotStation, VoterMark

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
