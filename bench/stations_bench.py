"""Station recording through the real HTTP flow under gunicorn: 20 officers at once.

    .venv/bin/python bench/stations_bench.py [--seconds 60] [--officers 20]
        [--workers 5] [--worker-class sync|gthread] [--threads 1]
    .venv/bin/python bench/stations_bench.py --sweep [--seconds 20] [--repeat 2]

Starts `gunicorn config.wsgi` on 127.0.0.1 itself, makes a new round in `voting` with one
tablet station per officer, and runs one Python thread per officer, each signed in through
the login form, then doing what a browser does at the desk, with no pause between voters:

    POST /stations/<pk>/         relation, document type, ID number → the ballot page (token)
    POST /stations/<pk>/ballot/  token + 1–5 items (Zipf-like) → "投票成功", the hand-back page,
                                 with the next voter's desk form folded under it

for a warm-up and then the measured seconds. A few officers
also re-use, every tenth voter, an ID number already recorded at another station, and
replay the ballot they have just submitted; both must be refused. Afterwards the database
must hold exactly one ballot per mark, station by station, and one per success seen.
Then /healthz is loaded by the same number of threads on the same server, as the baseline.

`--sweep` runs the flow under several gunicorn set-ups, interleaved, and prints the medians.
"""

import argparse
import re
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from common import Browser, RequestFailed, ServerConfig  # noqa: E402

BALLOTS_PER_SECOND = 100
P95_SECONDS = 0.200
WARM_UP = 5.0
RETRYING_OFFICERS = 4  # the first four officers try re-used IDs and replays
RETRY_EVERY = 10
VOTERS_PER_OFFICER = 100_000  # the bound of each officer's loop, and of their ID numbers
BALLOT_TOKEN = re.compile(r'name="token" value="([^"]+)"')
ALREADY_VOTED = "已经投过票"
CAST = "投票成功"
DESK_FORM = 'name="document_number"'
SWEEP = (
    ServerConfig(workers=2),
    ServerConfig(workers=3),
    ServerConfig(workers=4),
    ServerConfig(workers=5),
    ServerConfig(workers=2, worker_class="gthread", threads=4),
)


class Tally:
    """What all officers saw, under one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.samples = []  # (kind, started, seconds)
        self.cast = []  # (finished, station pk, ID number) of each ballot seen cast
        self.refused = Counter()  # re-used ID at the desk, at the ballot; replayed ballot
        self.tried = Counter()
        self.errors = Counter()
        self.examples = []
        self.double_votes = 0

    def sample(self, kind, started, response):
        with self.lock:
            self.samples.append((kind, started, response.seconds))

    def error(self, what):
        with self.lock:
            self.errors[what.split(":")[0]] += 1
            if len(self.examples) < 5:
                self.examples.append(what)

    def used_elsewhere(self, station_pk, index):
        """Return an ID number recorded at another station, or None if there is none yet."""
        with self.lock:
            others = [number for _, pk, number in self.cast[-200:] if pk != station_pk]
        return others[index % len(others)] if others else None


class Officer(threading.Thread):
    def __init__(self, number, desk, server, tally, start_gate, deadline):
        super().__init__(daemon=True)
        self.csrf = None  # the CSRF token of the desk form on screen; None: fetch the desk
        self.number = number
        self.desk = desk
        self.browser = Browser(server)
        self.tally = tally
        self.start_gate = start_gate
        self.deadline = deadline
        self.retries = number < RETRYING_OFFICERS
        self.sampler = common.ApprovalSampler(
            [str(n) for n in range(1, common.ITEMS + 1)], seed=number
        )
        self.signed_in = False

    @property
    def desk_path(self):
        return f"/stations/{self.desk.station.pk}/"

    def run(self):
        try:
            self.browser.login(self.desk.username)
            self.signed_in = True
        except (RequestFailed, RuntimeError) as error:
            self.tally.error(f"login: {error}")
        try:
            self.start_gate.wait()
        except threading.BrokenBarrierError:
            return
        if not self.signed_in:
            return
        for voter in range(VOTERS_PER_OFFICER):
            if time.perf_counter() >= self.deadline[0]:
                break
            try:
                self.record(voter)
            except RequestFailed as error:
                self.tally.error(f"no response: {error}")
            except RuntimeError as error:  # a page without the form it should have
                self.tally.error(f"page: {error}")

    def request(self, kind, method, path, fields=None):
        started = time.perf_counter()
        response = self.browser.get(path) if method == "GET" else self.browser.post(path, fields)
        self.tally.sample(kind, started, response)
        return response

    def record(self, voter):
        if self.csrf is None:  # the first voter, or the desk the server redirected to
            desk = self.request("GET desk", "GET", self.desk_path)
            if desk.status != 200 or DESK_FORM not in desk.text:
                return self.tally.error(f"GET desk: {desk.status}")
            self.csrf = common.csrf_token(desk)
        number, reused = common.id_card_number(self.number * VOTERS_PER_OFFICER + voter), False
        if self.retries and voter % RETRY_EVERY == RETRY_EVERY - 1:
            if elsewhere := self.tally.used_elsewhere(self.desk.station.pk, voter):
                number, reused = elsewhere, True
                self.tally.tried["re-used ID"] += 1
        page = self.request(
            "POST desk",
            "POST",
            self.desk_path,
            {
                "csrfmiddlewaretoken": self.csrf,
                "relation": "lives",
                "document_type": "id_card",
                "document_number": number,
            },
        )
        self.csrf = None
        token = BALLOT_TOKEN.search(page.text) if page.status == 200 else None
        if reused and page.status == 200 and ALREADY_VOTED in page.text and not token:
            self.tally.refused["re-used ID at the desk"] += 1
            self.csrf = common.csrf_token(page)  # the desk again, with the refusal
            return None
        if not token:
            return self.tally.error(f"POST desk: {page.status} without a ballot token")
        fields = {
            "csrfmiddlewaretoken": common.csrf_token(page),
            "token": token.group(1),
            "items": sorted(self.sampler.draw(), key=int),
        }
        cast = self.request("POST ballot", "POST", f"{self.desk_path}ballot/", fields)
        if reused:
            return self.refused_or_double(cast, "re-used ID at the ballot")
        if cast.status != 200 or CAST not in cast.text or DESK_FORM not in cast.text:
            return self.tally.error(f"POST ballot: {cast.status}")
        with self.tally.lock:
            self.tally.cast.append((time.perf_counter(), self.desk.station.pk, number))
        if self.retries and voter % RETRY_EVERY == 0:
            self.tally.tried["replayed ballot"] += 1
            replay = self.request("POST ballot", "POST", f"{self.desk_path}ballot/", fields)
            return self.refused_or_double(replay, "replayed ballot")
        self.csrf = common.csrf_token(cast)  # the officer opens the folded desk form
        return None

    def refused_or_double(self, response, what):
        if response.status == 302 and response.location.endswith(self.desk_path):
            with self.tally.lock:
                self.tally.refused[what] += 1
        elif response.status == 200 and CAST in response.text:
            with self.tally.lock:
                self.tally.double_votes += 1
        else:
            self.tally.error(f"{what}: {response.status}")


def run_officers(server, desks, seconds):
    """Run one officer per desk for a warm-up and ``seconds``.

    Return the tally, the measured window (start, end), the CPU used in it and the GETs resent.
    """
    tally = Tally()
    gate = threading.Barrier(len(desks) + 1)
    deadline = [float("inf")]
    officers = [
        Officer(number, desk, server, tally, gate, deadline) for number, desk in enumerate(desks)
    ]
    for officer in officers:
        officer.start()
    gate.wait(timeout=300)  # every officer has signed in
    begun = time.perf_counter()
    deadline[0] = begun + WARM_UP + seconds
    meter = common.CpuMeter(server.pid)
    time.sleep(WARM_UP)
    meter.start()
    time.sleep(max(0.0, deadline[0] - time.perf_counter()))
    used = meter.stop()
    for officer in officers:
        officer.join(timeout=60)
    resent = sum(officer.browser.resent for officer in officers)
    return tally, (begun + WARM_UP, deadline[0]), used, resent


def load_healthz(server, threads, seconds):
    """Return the request times of ``threads`` clients fetching /healthz for ``seconds`` after a warm-up."""
    samples, errors, lock = [], Counter(), threading.Lock()
    begun = time.perf_counter()
    start, end = begun + 2, begun + 2 + seconds

    def client():
        browser = Browser(server)
        for _ in range(10_000_000):
            started = time.perf_counter()
            if started >= end:
                break
            try:
                response = browser.get("/healthz")
            except RequestFailed:
                errors["no response"] += 1
                continue
            if response.status != 200:
                errors[response.status] += 1
            elif started >= start:
                with lock:
                    samples.append(response.seconds)

    workers = [threading.Thread(target=client, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=seconds + 60)
    return samples, sum(errors.values())


def database_check(round):
    """Return (marks, ballots, stations whose marks and ballots differ)."""
    from django.db.models import Count

    from voting.models import Ballot, VoterMark

    def per_station(model):
        counts = model.objects.filter(round=round).values_list("station").annotate(n=Count("pk"))
        return Counter(dict(counts.values_list("station", "n")))

    marks, ballots = per_station(VoterMark), per_station(Ballot)
    differing = [pk for pk in marks | ballots if marks[pk] != ballots[pk]]
    return marks.total(), ballots.total(), differing


def measure(config, officers, seconds, *, healthz_seconds):
    """Run the whole benchmark under one server set-up; return a dict of figures."""
    round, desks = common.voting_round("站点基准", stations=officers)
    with common.gunicorn(config, log_name="gunicorn-stations") as server:
        tally, (start, end), used, resent = run_officers(server, desks, seconds)
        health, health_errors = (
            load_healthz(server, officers, healthz_seconds) if healthz_seconds else ([], 0)
        )
    window = [(kind, took) for kind, started, took in tally.samples if start <= started < end]
    by_kind = defaultdict(list)
    for kind, took in window:
        by_kind[kind].append(took)
    cast_in_window = sum(1 for finished, _, _ in tally.cast if start <= finished < end)
    marks, ballots, differing = database_check(round)
    latencies = [took for _, took in window]
    return {
        "config": config,
        "round": round,
        "ballots_per_second": cast_in_window / (end - start),
        "cast_in_window": cast_in_window,
        "requests_per_second": len(window) / (end - start),
        "p50": statistics.median(latencies),
        "p95": common.percentile(latencies, 95),
        "by_kind": by_kind,
        "tally": tally,
        "errors": sum(tally.errors.values()),
        "marks": marks,
        "ballots": ballots,
        "differing": differing,
        "cast_seen": len(tally.cast),
        "cpu": used,
        "resent": resent,
        "health": health,
        "health_errors": health_errors,
        "health_seconds": healthz_seconds,
    }


def no_double_votes(figures):
    tally = figures["tally"]
    return (
        figures["marks"] == figures["ballots"] == figures["cast_seen"]
        and not figures["differing"]
        and tally.double_votes == 0
    )


def print_figures(figures, officers, seconds):
    tally = figures["tally"]
    tried, refused = tally.tried, tally.refused
    reused_refused = refused["re-used ID at the desk"] + refused["re-used ID at the ballot"]
    rows = [
        (
            "ballots recorded per second",
            f"{figures['ballots_per_second']:.1f}/s",
            f"≥ {BALLOTS_PER_SECOND}/s",
            figures["ballots_per_second"] >= BALLOTS_PER_SECOND,
        ),
        (
            "p95 of every request of the flow",
            common.milliseconds(figures["p95"]),
            f"≤ {P95_SECONDS * 1000:.0f} ms",
            figures["p95"] <= P95_SECONDS,
        ),
        ("errors", str(figures["errors"]), "0", figures["errors"] == 0),
        (
            "marks = ballots = successes seen (DB)",
            f"{figures['marks']:,} = {figures['ballots']:,} = {figures['cast_seen']:,}",
            "equal, per station too",
            no_double_votes(figures),
        ),
        ("double votes accepted", str(tally.double_votes), "0", tally.double_votes == 0),
        (
            "re-used IDs (other station) refused",
            f"{reused_refused}/{tried['re-used ID']}",
            "all",
            tried["re-used ID"] > 0 and reused_refused == tried["re-used ID"],
        ),
        (
            "replayed ballots refused",
            f"{refused['replayed ballot']}/{tried['replayed ballot']}",
            "all",
            tried["replayed ballot"] > 0 and refused["replayed ballot"] == tried["replayed ballot"],
        ),
    ]
    for kind, times in figures["by_kind"].items():
        rows.append(
            (
                f"  {kind}: {len(times):,} requests",
                f"p50 {common.milliseconds(statistics.median(times))}, "
                f"p95 {common.milliseconds(common.percentile(times, 95))}",
                "",
                None,
            )
        )
    rows.append(
        (
            "  requests per second, whole flow",
            f"{figures['requests_per_second']:.0f}/s",
            "",
            None,
        )
    )
    if health := figures["health"]:
        health_rate = len(health) / figures["health_seconds"]
        rows += [
            (
                f"/healthz, {officers} threads",
                f"{health_rate:.0f}/s, p50 {common.milliseconds(statistics.median(health))}, "
                f"p95 {common.milliseconds(common.percentile(health, 95))}",
                "baseline",
                None if figures["health_errors"] == 0 else False,
            ),
            (
                "ratio flow requests/s ÷ /healthz requests/s",
                f"{figures['requests_per_second'] / health_rate:.2f}",
                "",
                None,
            ),
            (
                "ratio ballots/s ÷ /healthz requests/s",
                f"{figures['ballots_per_second'] / health_rate:.3f}",
                "",
                None,
            ),
            (
                "ratio p50 flow request ÷ p50 /healthz",
                f"{figures['p50'] / statistics.median(health):.1f}×",
                "",
                None,
            ),
        ]
    rows.append(
        ("  GETs resent on a closed kept-alive connection", str(figures["resent"]), "", None)
    )
    rows += common.cpu_rows(figures["cpu"], per=figures["cast_in_window"], unit="ballot")
    common.report(
        f"Station recording: {officers} officers, {seconds:.0f} s after {WARM_UP:.0f} s warm-up, "
        f"gunicorn {figures['config']}, round {figures['round'].pk}",
        rows,
    )
    if tally.examples:
        print("first errors:", *tally.examples, sep="\n  ")


def sweep(options):
    """Run each set-up of SWEEP ``--repeat`` times, interleaved; print the medians."""
    seconds = options.seconds or 20
    runs = defaultdict(list)
    for repetition in range(options.repeat):
        for config in SWEEP if repetition % 2 == 0 else reversed(SWEEP):
            figures = measure(config, options.officers, seconds, healthz_seconds=0)
            used = figures["cpu"]
            runs[config].append(figures)
            print(
                f"{config}: {figures['ballots_per_second']:.1f} ballots/s, "
                f"p95 {common.milliseconds(figures['p95'])}, errors {figures['errors']}, "
                f"other CPU {used['other'] / used['wall']:.2f} cores",
                flush=True,
            )
    rows = []
    for config in SWEEP:
        rate = statistics.median(f["ballots_per_second"] for f in runs[config])
        p95 = statistics.median(f["p95"] for f in runs[config])
        cpu = statistics.median(
            (f["cpu"]["server"] + f["cpu"]["database"]) / max(f["cast_in_window"], 1)
            for f in runs[config]
        )
        errors = sum(f["errors"] for f in runs[config])
        rows.append(
            (
                str(config),
                f"{rate:.1f} ballots/s, p95 {common.milliseconds(p95)}, errors {errors}, "
                f"CPU {common.milliseconds(cpu)}/ballot",
                f"≥ {BALLOTS_PER_SECOND}/s, ≤ {P95_SECONDS * 1000:.0f} ms, 0",
                rate >= BALLOTS_PER_SECOND
                and p95 <= P95_SECONDS
                and errors == 0
                and all(no_double_votes(f) for f in runs[config]),
            )
        )
    common.report(
        f"Gunicorn set-ups, {options.officers} officers, "
        f"median of {options.repeat} runs of {seconds:.0f} s",
        rows,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--officers", type=int, default=20)
    parser.add_argument("--healthz-seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=common.BEST_SERVER.workers)
    parser.add_argument("--worker-class", default=common.BEST_SERVER.worker_class)
    parser.add_argument("--threads", type=int, default=common.BEST_SERVER.threads)
    parser.add_argument("--sweep", action="store_true", help="compare several gunicorn set-ups")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each set-up in a sweep")
    options = parser.parse_args()

    common.setup()
    common.collect_static()
    if options.sweep:
        sweep(options)
        return
    seconds = options.seconds or 60
    config = ServerConfig(options.workers, options.worker_class, options.threads)
    figures = measure(config, options.officers, seconds, healthz_seconds=options.healthz_seconds)
    print_figures(figures, options.officers, seconds)


if __name__ == "__main__":
    main()
