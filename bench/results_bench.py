"""The public results page of a round with 200,000 ballots, stations closed, tally certified.

    .venv/bin/python bench/results_bench.py [--ballots 200000] [--requests 300]
        [--concurrency 20] [--seconds 15]

Uses the round of tally_bench.py (imported on the first run), certifies its tally once with
`tally_certify`, starts gunicorn (the set-up of stations_bench.py) and fetches
/rounds/<id>/results/ over HTTP: first one request at a time, which is the figure held to
the target, then from ``--concurrency`` clients at once for their throughput. It also counts
the page's SQL queries in-process and checks that none of them reads the ballots.
"""

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from common import Browser, RequestFailed  # noqa: E402

P95_SECONDS = 0.100
CERTIFIED_MARK = "得票排序"  # the heading of the certified ranking


def certified(round):
    """Certify the round's tally unless done already; return the seconds it took, or None."""
    from django.contrib.auth import get_user_model

    from voting.models import CertifiedTally
    from voting.services import tally_certify

    if CertifiedTally.objects.filter(round=round).exists():
        return None
    actor, _created = get_user_model().objects.get_or_create(username="bench-certifier")
    start = time.perf_counter()
    tally_certify(round=round, actor=actor, observers="基准测试监票人")
    return time.perf_counter() - start


def page_queries(path):
    """Return the SQL of one in-process request for ``path`` (status 200 checked)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return [query["sql"] for query in queries.captured_queries]


def sequential(server, path, count):
    browser = Browser(server)
    for _ in range(100):  # reach every worker: its first page compiles templates (~0.8 s)
        browser.get(path)
    times = []
    for _ in range(count):
        response = browser.get(path)
        if response.status != 200 or CERTIFIED_MARK not in response.text:
            raise RuntimeError(f"{path} answered {response.status} without the certified result")
        times.append(response.seconds)
    return times


def concurrent(server, path, clients, seconds):
    """Return (request times, errors, CPU reading) of ``clients`` threads for ``seconds``."""
    times, errors, lock = [], [0], threading.Lock()
    end = time.perf_counter() + seconds

    def client():
        browser = Browser(server)
        for _ in range(1_000_000):
            if time.perf_counter() >= end:
                break
            try:
                response = browser.get(path)
            except RequestFailed:
                response = None
            with lock:
                if response is None or response.status != 200:
                    errors[0] += 1
                else:
                    times.append(response.seconds)

    meter = common.CpuMeter(server.pid)
    meter.start()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return times, errors[0], meter.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15)
    options = parser.parse_args()

    common.setup()
    common.collect_static()
    round, imported = common.counted_round(options.ballots)
    if imported is not None:
        print(f"set-up: imported {options.ballots:,} ballots with import_round in {imported:.1f} s")
    if (took := certified(round)) is not None:
        print(f"set-up: tally_certify of {options.ballots:,} ballots took {took:.1f} s")
    path = f"/rounds/{round.pk}/results/"
    queries = page_queries(path)
    reading_ballots = [
        sql for sql in queries if '"voting_ballot"' in sql or '"voting_ballotchoice"' in sql
    ]

    with common.gunicorn(common.BEST_SERVER, log_name="gunicorn-results") as server:
        alone = sequential(server, path, options.requests)
        loaded, errors, used = concurrent(server, path, options.concurrency, options.seconds)

    p95 = common.percentile(alone, 95)
    rows = [
        (
            f"p95 of {options.requests} requests, one at a time",
            common.milliseconds(p95),
            f"≤ {P95_SECONDS * 1000:.0f} ms",
            p95 <= P95_SECONDS,
        ),
        (
            "  p50, max",
            f"{common.milliseconds(statistics.median(alone))}, {common.milliseconds(max(alone))}",
            "",
            None,
        ),
        (
            "SQL queries per page (in-process)",
            str(len(queries)),
            "few, constant",
            None,
        ),
        (
            "  of which read the ballot tables",
            str(len(reading_ballots)),
            "0",
            not reading_ballots,
        ),
        (
            f"{options.concurrency} clients for {options.seconds:.0f} s",
            f"{len(loaded) / used['wall']:.0f}/s, "
            f"p50 {common.milliseconds(statistics.median(loaded))}, "
            f"p95 {common.milliseconds(common.percentile(loaded, 95))}",
            "",
            None,
        ),
        ("  errors", str(errors), "0", errors == 0),
        *common.cpu_rows(used, per=len(loaded), unit="page"),
    ]
    common.report(
        f"Results page of round {round.pk} ({round.ballots.count():,} ballots), "
        f"gunicorn {common.BEST_SERVER}",
        rows,
    )


if __name__ == "__main__":
    main()
