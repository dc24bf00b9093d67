"""The whole `manage.py tally --rule mes` command on elections of real Pabulib sizes.

    .venv/bin/python bench/mes_bench.py [--repeat 3]

Pabulib's big approval elections (Polish and Dutch cities, 6,000–62,000 voters, 40–120
projects, most ballots unlike any other) are too large to keep in the repository, so the
benchmark draws four synthetic elections of those sizes with the same shape (see
``election``), imports each once with `import_pabulib` (later runs reuse them), and times
the command as a user runs it: read the ballots, count, MES with add1, print the JSON.
The floor, measured in the same run, is a bare SQL count of the same ballots' choices: no
tally from the database can take less. Target: every election ≤ 5 s.
"""

import argparse
import io
import itertools
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from tally_bench import BARE_COUNT  # noqa: E402

TARGET = 5.0  # seconds for the whole command
# (voters, projects, seed): the sizes of Pabulib's big approval elections.
ELECTIONS = ((6_000, 40, 11), (15_000, 60, 12), (30_000, 90, 13), (62_000, 120, 14))


def election(voters, projects, seed):
    """Return the text of a .pb file shaped like a big city's approval election.

    Costs are log-normal around 150,000 (30,000 to 2,000,000), the budget a quarter of their
    sum; each voter approves 1–15 projects (about 5 on average, as where the limit is 15),
    drawn with weight 1/rank^0.8 over a popularity order unrelated to cost or listing, so
    nearly every ballot is unlike the others, as in the real files.
    """
    rng = random.Random(seed)
    costs = [
        min(2_000_000, max(30_000, round(rng.lognormvariate(math.log(150_000), 0.8), -2)))
        for _ in range(projects)
    ]
    budget = sum(costs) // 4
    refs = [str(number) for number in range(1, projects + 1)]
    popular = rng.sample(refs, projects)
    weights = list(itertools.accumulate(1 / rank**0.8 for rank in range(1, projects + 1)))
    lines = [
        "META",
        "key;value",
        f"description;Pabulib 规模基准 {voters}人 {projects}个项目",
        "country;Poland",
        f"unit;基准城市{seed}",
        f"budget;{budget}",
        "vote_type;approval",
        f"num_projects;{projects}",
        f"num_votes;{voters}",
        "max_length;15",
        "rule;equalshares/add1",
        "date_begin;2024-06-01",
        "PROJECTS",
        "project_id;cost;name",
        *(f"{ref};{cost};项目{ref}" for ref, cost in zip(refs, costs, strict=True)),
        "VOTES",
        "voter_id;vote",
    ]
    for voter in range(1, voters + 1):
        wanted = min(15, max(1, round(rng.expovariate(1 / 5))))
        chosen = set()
        while len(chosen) < wanted:
            chosen.update(rng.choices(popular, cum_weights=weights, k=wanted - len(chosen)))
        lines.append(f"{voter};{','.join(sorted(chosen, key=int))}")
    return "\n".join(lines) + "\n"


def imported_round(text):
    """Return the round of this election, importing it with `import_pabulib` the first time."""
    from django.core.management import call_command

    from rounds.models import Round

    title = text.split("\n", 3)[2].removeprefix("description;")
    if existing := Round.objects.filter(title=title).first():
        return existing
    with tempfile.NamedTemporaryFile("w", suffix=".pb", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        call_command("import_pabulib", file.name, stdout=io.StringIO())
    return Round.objects.get(title=title)


def median_seconds(function, repeat):
    """Return the median seconds of ``repeat`` calls after one warm-up call."""
    function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()

    common.setup()
    from django.core.management import call_command
    from django.db import connection

    from voting.selectors import round_ballot_sets

    def bare_count(round):
        with connection.cursor() as cursor:
            cursor.execute(BARE_COUNT, [round.pk])
            return cursor.fetchall()

    rows = []
    for voters, projects, seed in ELECTIONS:
        round = imported_round(election(voters, projects, seed))
        distinct = len(round_ballot_sets(round))
        command = median_seconds(
            lambda round=round: call_command(
                "tally", str(round.pk), "--rule", "mes", stdout=io.StringIO()
            ),
            options.repeat,
        )
        floor = median_seconds(lambda round=round: bare_count(round), options.repeat)
        label = f"{voters:,} voters ({distinct:,} distinct ballots), {projects} projects"
        rows += [
            (
                f"{label}: tally --rule mes",
                f"{command:.2f} s",
                f"≤ {TARGET:.0f} s",
                command <= TARGET,
            ),
            (f"{label}: bare SQL count (floor)", f"{floor * 1000:.0f} ms", "floor", None),
            (f"{label}: ratio to the floor", f"{command / floor:.1f}×", "—", None),
        ]
    common.report(f"MES with add1, the whole command, median of {options.repeat}", rows)


if __name__ == "__main__":
    main()
