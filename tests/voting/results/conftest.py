"""The certifying tests' round, staff, ballot items and stations, for the results' downloads."""

from tests.voting.test_certify import counted, proposals, round, staff, stations  # noqa: F401
