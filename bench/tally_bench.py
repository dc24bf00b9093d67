"""Tally of 200,000 approval ballots over 40 items, read from the database, under each rule.

    .venv/bin/python bench/tally_bench.py [--ballots 200000] [--repeat 5]

Times `round_tally_result(round, rule=…)` — the call that certification and the .pb export
make — for `stop`, `skip` and `mes`, and compares it with a bare SQL count of the same
ballots' choices. The first run imports the ballots (a minute or so); later runs reuse them.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

TARGETS = {"stop": 2.0, "skip": 2.0, "mes": 10.0}  # seconds

BARE_COUNT = """
    SELECT choice.item_id, count(*)
    FROM voting_ballotchoice AS choice
    JOIN voting_ballot AS ballot ON ballot.id = choice.ballot_id
    WHERE ballot.round_id = %s AND ballot.kind <> 'invalid'
    GROUP BY choice.item_id
"""


def timed(function, repeat):
    """Return (median seconds, min, max, last value) of ``repeat`` calls after one warm-up call."""
    function()
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times), value


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()

    common.setup()
    from django.db import connection

    from voting.models import BallotChoice
    from voting.selectors import round_ballot_sets, round_tally_items, round_tally_result
    from voting.tally import tally

    round, imported = common.counted_round(options.ballots)
    if imported is not None:
        print(f"set-up: imported {options.ballots:,} ballots with import_round in {imported:.1f} s")
    choices = BallotChoice.objects.filter(ballot__round=round).count()
    print(
        f"round {round.pk}: {round.ballots.count():,} ballots, "
        f"{round.ballot_items.count()} items, {choices:,} (ballot, item) choices; "
        f"median of {options.repeat} runs after a warm-up"
    )

    def bare_count():
        with connection.cursor() as cursor:
            cursor.execute(BARE_COUNT, [round.pk])
            return dict(cursor.fetchall())

    sql, sql_min, sql_max, counts = timed(bare_count, options.repeat)
    refs = dict(round.ballot_items.values_list("pk", "ref"))
    sql_votes = {refs[item_id]: count for item_id, count in counts.items()}

    rows, details = [], []
    for rule, target in TARGETS.items():
        median, fastest, slowest, result = timed(
            lambda rule=rule: round_tally_result(round, rule=rule), options.repeat
        )
        agrees = {item.ref: item.votes for item in result.items if item.votes} == sql_votes
        rows.append(
            (
                f"tally `{rule}` from the database",
                f"{median:.2f} s ({fastest:.2f}–{slowest:.2f})",
                f"≤ {target:.0f} s",
                median <= target and agrees,
            )
        )
        details.append((rule, median, agrees))
    rows.append(
        (
            "bare SQL count of the choices",
            f"{sql * 1000:.0f} ms ({sql_min * 1000:.0f}–{sql_max * 1000:.0f})",
            "baseline",
            None,
        )
    )
    rows += [
        (f"ratio `{rule}` / bare SQL count", f"{median / sql:.1f}×", "—", None)
        for rule, median, _agrees in details
    ]
    rows += [
        (f"votes of `{rule}` equal the SQL count", "yes" if agrees else "NO", "yes", agrees)
        for rule, _median, agrees in details
    ]
    common.report(f"Tally of {options.ballots:,} ballots over {common.ITEMS} items", rows)

    read, _min, _max, ballots = timed(lambda: round_ballot_sets(round), options.repeat)
    items = round_tally_items(round)
    breakdown = [
        (f"read: round_ballot_sets() → {len(ballots):,} distinct sets", f"{read:.2f} s", "", None)
    ]
    for rule in TARGETS:
        compute, _min, _max, _result = timed(
            lambda rule=rule: tally(
                items=items,
                ballots=ballots,
                budget=round.total_fund,
                rule=rule,
                min_share=round.min_vote_share,
                tie_break=round.tie_break,
            ),
            options.repeat,
        )
        breakdown.append((f"compute: tally(rule={rule!r})", f"{compute:.3f} s", "", None))
    common.report("Where the time goes", breakdown)


if __name__ == "__main__":
    main()
